/// One credit card of the simulator's catalogue: its reward rules and its pre-rendered JSON.
struct SimulatedCard: Sendable {
    /// A spend milestone: reaching `annualSpend` in a year earns `bonus`.
    struct Milestone: Sendable {
        var annualSpend: Double
        var bonus: Double
    }

    var id: Int
    var name: String
    var alias: String
    var bankID: Int
    var bankName: String
    var archetype: String
    var joiningFee: Int
    var annualFee: Int
    /// Reward rate (fraction of the amount) per field ordinal; 0 for count fields.
    var rates: [Double]
    /// Cap of the reward per field ordinal, per month for monthly fields and per year for
    /// annual ones; `.infinity` for none.
    var caps: [Double]
    var milestones: [Milestone]
    /// Lounge visits covered per quarter.
    var domesticLounges: Int
    var internationalLounges: Int
    var railwayLounges: Int
    /// Discount on movie tickets and dining bills, and its monthly cap.
    var movieDiscount: Double
    var movieCapMonthly: Double
    var diningDiscount: Double
    var diningCapMonthly: Double
    var welcomeValue: Int

    /// `{"id":...,` up to and including the comma before the request-dependent members.
    var staticPrefix: [UInt8] = []
    /// Per field ordinal: `,"maxCap":N,"cashback_percentage":"R"}` closing a spending_breakdown entry.
    var breakdownSuffix: [[UInt8]] = []
}

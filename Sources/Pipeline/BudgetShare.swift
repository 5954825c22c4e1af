import Foundation

/// A member's share of the group-wide budgets.
///
/// Each member takes the fraction of the budgets equal to the fraction of the input
/// topic's partitions it owns, recomputed on every rebalance, so the members together
/// never exceed what CardGenius agreed to, without any coordination service.
public struct BudgetShare: Sendable, Equatable, CustomStringConvertible {
    /// API calls this member may have in flight.
    public var maxInFlight: Int
    /// API calls per second this member may start.
    public var ratePerSecond: Double
    /// The burst this member may use.
    public var burst: Double

    /// The share of a member owning `owned` of `total` partitions.
    ///
    /// Concurrency is rounded down (so shares never add up to more than the budget), but
    /// a member that owns partitions gets at least one slot; rate and burst are split
    /// exactly (burst at least one token).
    public init(maxWorkers: Int, rate: Double, burst: Double, owned: Int, total: Int) {
        guard owned > 0, total > 0 else {
            self.maxInFlight = 0
            self.ratePerSecond = 0
            self.burst = 1
            return
        }
        let fraction = Double(min(owned, total)) / Double(total)
        self.maxInFlight = max(1, Int((Double(maxWorkers) * fraction).rounded(.down)))
        self.ratePerSecond = rate * fraction
        self.burst = max(1, burst * fraction)
    }

    public var description: String {
        "in-flight \(maxInFlight), \(String(format: "%.2f", ratePerSecond)) calls/s, burst \(String(format: "%.1f", burst))"
    }
}

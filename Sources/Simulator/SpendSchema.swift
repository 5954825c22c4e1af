import CardGenius

/// Positions of the request fields in the simulator's flat spend arrays (`SpendField.allCases` order).
enum SpendSchema {
    static let fields: [SpendField] = SpendField.allCases
    static let count = fields.count
    static let ordinalByName: [String: Int] = Dictionary(
        uniqueKeysWithValues: fields.enumerated().map { ($0.element.rawValue, $0.offset) }
    )

    static func ordinal(_ field: SpendField) -> Int {
        // `fields` is `allCases`, so every field has an ordinal.
        fields.firstIndex(of: field) ?? 0
    }

    static let domesticLounge = ordinal(.domesticLoungeUsageQuarterly)
    static let internationalLounge = ordinal(.internationalLoungeUsageQuarterly)
    static let railwayLounge = ordinal(.railwayLoungeUsageQuarterly)
    static let movieUsage = ordinal(.movieUsage)
    static let movieMov = ordinal(.movieMov)
    static let diningUsage = ordinal(.diningUsage)
    static let diningMov = ordinal(.diningMov)

    /// Spend categories reported in `category_breakdown`.
    enum Group: Int, CaseIterable {
        case shopping, food, travel, bills, fuel, insurance, entertainment, others

        var name: String {
            switch self {
            case .shopping: "shopping"
            case .food: "food_and_dining"
            case .travel: "travel"
            case .bills: "bills_and_utilities"
            case .fuel: "fuel"
            case .insurance: "insurance"
            case .entertainment: "entertainment"
            case .others: "others"
            }
        }
    }

    /// The group each field's savings count towards.
    static let groupOf: [Int] = fields.map { field -> Int in
        let group: Group
        switch field {
        case .amazonSpends, .flipkartSpends, .groceryOnline, .otherOnline, .largeElectronics: group = .shopping
        case .onlineFoodOrdering, .diningOrGoingOut, .diningUsage, .diningMov: group = .food
        case .hotelsAnnual, .flightsAnnual, .domesticLoungeUsageQuarterly, .internationalLoungeUsageQuarterly,
            .railwayLoungeUsageQuarterly:
            group = .travel
        case .schoolFees, .rent, .mobilePhoneBills, .electricityBills, .waterBills: group = .bills
        case .fuel: group = .fuel
        case .insuranceHealthAnnual, .insuranceCarOrBikeAnnual: group = .insurance
        case .ottChannels, .movieUsage, .movieMov: group = .entertainment
        case .otherOffline, .allPharmacy, .newMonthlyCat1, .newMonthlyCat2, .newMonthlyCat3, .newCat1, .newCat2,
            .newCat3:
            group = .others
        }
        return group.rawValue
    }

    /// Whether the field is a monthly amount (else annual, or a count handled specially).
    static let isMonthly: [Bool] = fields.map { $0.period == .monthly }
    /// Whether spending_breakdown reports the field per month (monthly amounts, movie and dining usage).
    static let reportsMonthly: [Bool] = fields.map { $0.period == .monthly || $0 == .movieUsage || $0 == .diningUsage }
    /// Whether the field is a plain amount that earns a reward rate.
    static let isAmount: [Bool] = fields.map { $0.period == .monthly || $0.period == .annual }
}

/// One spend category of the CardGenius request body.
///
/// The raw value is the JSON field name the API expects. Every request carries
/// every field (missing ones are `0`), so `allCases` is the request schema.
public enum SpendField: String, CaseIterable, Sendable, Hashable, Codable {
    // Monthly spends (INR).
    case amazonSpends = "amazon_spends"
    case flipkartSpends = "flipkart_spends"
    case groceryOnline = "grocery_spends_online"
    case onlineFoodOrdering = "online_food_ordering"
    case otherOnline = "other_online_spends"
    case otherOffline = "other_offline_spends"
    case diningOrGoingOut = "dining_or_going_out"
    case fuel = "fuel"
    case schoolFees = "school_fees"
    case rent = "rent"
    case mobilePhoneBills = "mobile_phone_bills"
    case electricityBills = "electricity_bills"
    case waterBills = "water_bills"
    case ottChannels = "ott_channels"
    case newMonthlyCat1 = "new_monthly_cat_1"
    case newMonthlyCat2 = "new_monthly_cat_2"
    case newMonthlyCat3 = "new_monthly_cat_3"
    // Annual spends (INR).
    case hotelsAnnual = "hotels_annual"
    case flightsAnnual = "flights_annual"
    case insuranceHealthAnnual = "insurance_health_annual"
    case insuranceCarOrBikeAnnual = "insurance_car_or_bike_annual"
    case largeElectronics = "large_electronics_purchase_like_mobile_tv_etc"
    case allPharmacy = "all_pharmacy"
    case newCat1 = "new_cat_1"
    case newCat2 = "new_cat_2"
    case newCat3 = "new_cat_3"
    // Usage counts and minimum order values.
    case domesticLoungeUsageQuarterly = "domestic_lounge_usage_quarterly"
    case internationalLoungeUsageQuarterly = "international_lounge_usage_quarterly"
    case railwayLoungeUsageQuarterly = "railway_lounge_usage_quarterly"
    case movieUsage = "movie_usage"
    case movieMov = "movie_mov"
    case diningUsage = "dining_usage"
    case diningMov = "dining_mov"

    /// How the amount is counted.
    public enum Period: String, Sendable {
        case monthly, annual, quarterlyCount, count
    }

    /// Whether the field is a monthly amount, an annual amount or a count.
    public var period: Period {
        switch self {
        case .amazonSpends, .flipkartSpends, .groceryOnline, .onlineFoodOrdering, .otherOnline,
            .otherOffline, .diningOrGoingOut, .fuel, .schoolFees, .rent, .mobilePhoneBills,
            .electricityBills, .waterBills, .ottChannels, .newMonthlyCat1, .newMonthlyCat2,
            .newMonthlyCat3:
            return .monthly
        case .hotelsAnnual, .flightsAnnual, .insuranceHealthAnnual, .insuranceCarOrBikeAnnual,
            .largeElectronics, .allPharmacy, .newCat1, .newCat2, .newCat3:
            return .annual
        case .domesticLoungeUsageQuarterly, .internationalLoungeUsageQuarterly, .railwayLoungeUsageQuarterly:
            return .quarterlyCount
        case .movieUsage, .movieMov, .diningUsage, .diningMov:
            return .count
        }
    }

    /// Looks a field up by its JSON name.
    public static func named(_ name: String) -> SpendField? { SpendField(rawValue: name) }
}

extension SpendField {
    /// The field's position in ``allCases``, which is declaration order: a payload-free
    /// enum is stored as its case's index.
    var ordinal: UInt8 { unsafeBitCast(self, to: UInt8.self) }

    // Equality and hashing by position, not by the raw-value string that `RawRepresentable`
    // would hash: every record's 33 amounts are stored and looked up by field
    // (BENCHMARKS.md, section 0).

    public static func == (lhs: SpendField, rhs: SpendField) -> Bool {
        lhs.ordinal == rhs.ordinal
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(ordinal)
    }
}

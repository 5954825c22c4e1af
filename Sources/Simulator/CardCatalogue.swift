import CardGenius
import StrictJSON

/// The simulator's built-in card catalogue, generated deterministically (the same cards on
/// every run), with each card's request-independent JSON rendered once at start-up.
struct CardCatalogue: Sendable {
    let cards: [SimulatedCard]
    /// Per field ordinal: `"<field>":{"spend":` opening a spending_breakdown entry.
    let breakdownPrefix: [[UInt8]]
    /// Per field ordinal: the quoted field name.
    let quotedNames: [[UInt8]]

    static let banks: [String] = [
        "HDFC Bank", "ICICI Bank", "SBI Card", "Axis Bank", "Kotak Mahindra Bank", "IDFC FIRST Bank",
        "IndusInd Bank", "YES Bank", "RBL Bank", "AU Small Finance Bank", "Standard Chartered",
        "American Express", "HSBC", "Federal Bank", "BOBCARD",
    ]
    static let series: [String] = [
        "Millennia", "Regalia", "Ace", "Atlas", "Magnus", "SimplyCLICK", "Elite", "Prime", "Select",
        "Zenith", "Neo", "Wealth", "Legend", "Aurum", "Eterna", "Swiggy", "Pulse", "Tata Neu", "Club Vistara",
        "Shoppers Stop", "Coral", "Rubyx", "Sapphiro", "Emeralde", "Privy", "Pinnacle", "Vetta", "Cashback",
    ]
    static let tiers: [String] = ["", " Platinum", " Signature", " Select", " Infinite", " Plus"]

    /// Card archetypes: which fields they reward best, and how premium they are.
    struct Archetype {
        var name: String
        var tags: String
        var boosted: [SpendField]
        var premium: Bool
    }

    static let archetypes: [Archetype] = [
        Archetype(name: "shopping", tags: "Shopping, Cashback", boosted: [.amazonSpends, .flipkartSpends, .otherOnline, .largeElectronics], premium: false),
        Archetype(
            name: "online", tags: "Online Shopping, Rewards", boosted: [.amazonSpends, .groceryOnline, .onlineFoodOrdering, .ottChannels], premium: false),
        Archetype(name: "travel", tags: "Travel, Airport Lounge", boosted: [.hotelsAnnual, .flightsAnnual, .diningOrGoingOut], premium: true),
        Archetype(name: "fuel", tags: "Fuel, Cashback", boosted: [.fuel, .mobilePhoneBills, .electricityBills], premium: false),
        Archetype(name: "dining", tags: "Dining, Food Delivery", boosted: [.diningOrGoingOut, .onlineFoodOrdering, .groceryOnline], premium: false),
        Archetype(
            name: "bills", tags: "Bill Payments, Utilities", boosted: [.electricityBills, .waterBills, .mobilePhoneBills, .rent, .schoolFees], premium: false),
        Archetype(
            name: "premium", tags: "Premium, Lifestyle, Travel", boosted: [.hotelsAnnual, .flightsAnnual, .otherOffline, .insuranceHealthAnnual], premium: true),
        Archetype(name: "everyday", tags: "Cashback, Everyday", boosted: [.otherOffline, .otherOnline, .allPharmacy], premium: false),
        Archetype(name: "flipkart", tags: "Shopping, Co-branded", boosted: [.flipkartSpends, .largeElectronics, .groceryOnline], premium: false),
        Archetype(name: "amazon", tags: "Shopping, Co-branded", boosted: [.amazonSpends, .insuranceCarOrBikeAnnual, .mobilePhoneBills], premium: false),
    ]

    /// Generates `size` cards from a fixed seed.
    init(size: Int) {
        var rng = SplitMix64(seed: 0xCA4D_6E41_1500)
        var cards: [SimulatedCard] = []
        cards.reserveCapacity(size)
        var usedNames = Set<String>()
        for index in 0..<size {
            cards.append(Self.makeCard(index: index, rng: &rng, usedNames: &usedNames))
        }
        self.cards = cards
        self.breakdownPrefix = SpendSchema.fields.map { Array("\"\($0.rawValue)\":{\"spend\":".utf8) }
        self.quotedNames = SpendSchema.fields.map { Array("\"\($0.rawValue)\"".utf8) }
    }

    private static func makeCard(index: Int, rng: inout SplitMix64, usedNames: inout Set<String>) -> SimulatedCard {
        func pick<T>(_ values: [T]) -> T { values[Int(rng.next() % UInt64(values.count))] }
        func uniform(_ range: ClosedRange<Double>) -> Double {
            range.lowerBound + rng.nextUnit() * (range.upperBound - range.lowerBound)
        }
        func roundedTo(_ value: Double, _ step: Double) -> Double { (value / step).rounded() * step }

        let archetype = archetypes[index % archetypes.count]
        let bankIndex = Int(rng.next() % UInt64(banks.count))
        let bank = banks[bankIndex]
        var name = ""
        for attempt in 0..<20 {
            name = "\(bank) \(pick(series))\(pick(tiers)) Credit Card"
            if usedNames.insert(name).inserted { break }
            if attempt == 19 {
                name += " \(index + 1)"
                usedNames.insert(name)
            }
        }
        let alias =
            String(
                name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }
            ).split(separator: "-").joined(separator: "-") + "-\(index + 1)"

        let premium = archetype.premium || rng.nextUnit() < 0.15
        let feeChoices: [Int] = premium ? [2_500, 2_999, 4_999, 10_000, 12_500] : [0, 199, 499, 500, 749, 999, 1_499]
        let annualFee = pick(feeChoices)
        let joiningFee = rng.nextUnit() < 0.3 ? 0 : annualFee

        let count = SpendSchema.count
        var rates = [Double](repeating: 0, count: count)
        var caps = [Double](repeating: .infinity, count: count)
        let baseRate = roundedTo(uniform(premium ? 0.01...0.033 : 0.0025...0.015), 0.0025)
        for (ordinal, field) in SpendSchema.fields.enumerated() where SpendSchema.isAmount[ordinal] {
            var rate = baseRate
            switch field {
            case .rent, .schoolFees, .insuranceHealthAnnual, .insuranceCarOrBikeAnnual, .fuel:
                rate = rng.nextUnit() < 0.6 ? 0 : baseRate / 2  // usually excluded from rewards
            default:
                break
            }
            rates[ordinal] = rate
        }
        for field in archetype.boosted {
            let ordinal = SpendSchema.ordinal(field)
            rates[ordinal] = roundedTo(uniform(0.03...(premium ? 0.12 : 0.1)), 0.005)
            let monthlyCap = roundedTo(uniform(300...(premium ? 5_000 : 2_500)), 50)
            caps[ordinal] = SpendSchema.isMonthly[ordinal] ? monthlyCap : monthlyCap * 12
        }
        // A couple of random secondary boosts so that cards of one archetype differ.
        for _ in 0..<2 {
            let ordinal = Int(rng.next() % UInt64(count))
            guard SpendSchema.isAmount[ordinal], caps[ordinal] == .infinity else { continue }
            rates[ordinal] = roundedTo(uniform(0.02...0.05), 0.005)
            let monthlyCap = roundedTo(uniform(200...1_000), 50)
            caps[ordinal] = SpendSchema.isMonthly[ordinal] ? monthlyCap : monthlyCap * 12
        }

        var milestones: [SimulatedCard.Milestone] = []
        if rng.nextUnit() < 0.6 {
            let first = roundedTo(uniform(premium ? 300_000...800_000 : 100_000...300_000), 50_000)
            milestones.append(.init(annualSpend: first, bonus: roundedTo(first * uniform(0.005...0.015), 100)))
            if rng.nextUnit() < 0.5 {
                let second = first * 2
                milestones.append(.init(annualSpend: second, bonus: roundedTo(second * uniform(0.005...0.015), 100)))
            }
        }

        var card = SimulatedCard(
            id: 1_000 + index * 7 + 3,
            name: name,
            alias: alias,
            bankID: bankIndex + 1,
            bankName: bank,
            archetype: archetype.name,
            joiningFee: joiningFee,
            annualFee: annualFee,
            rates: rates,
            caps: caps,
            milestones: milestones,
            domesticLounges: archetype.premium ? Int(rng.next() % 4) + 2 : Int(rng.next() % 3),
            internationalLounges: archetype.premium ? Int(rng.next() % 3) + 1 : 0,
            railwayLounges: rng.nextUnit() < 0.3 ? Int(rng.next() % 2) + 1 : 0,
            movieDiscount: rng.nextUnit() < 0.4 ? roundedTo(uniform(0.1...0.5), 0.05) : 0,
            movieCapMonthly: roundedTo(uniform(150...600), 50),
            diningDiscount: rng.nextUnit() < 0.5 ? roundedTo(uniform(0.05...0.25), 0.05) : 0,
            diningCapMonthly: roundedTo(uniform(200...1_500), 50),
            welcomeValue: rng.nextUnit() < 0.7 ? Int(roundedTo(uniform(250...(premium ? 10_000 : 1_500)), 50)) : 0
        )
        card.staticPrefix = Self.renderStaticPrefix(card, tags: archetype.tags)
        card.breakdownSuffix = (0..<count).map { ordinal in
            var out: [UInt8] = []
            if card.caps[ordinal].isFinite {
                out.append(contentsOf: ",\"maxCap\":".utf8)
                JSONWriter.appendInteger(Int64(card.caps[ordinal]), to: &out)
            }
            out.append(contentsOf: ",\"cashback_percentage\":\"".utf8)
            out.append(contentsOf: Self.percent(card.rates[ordinal]).utf8)
            out.append(contentsOf: "\"}".utf8)
            return out
        }
        return card
    }

    static func percent(_ rate: Double) -> String {
        let hundredths = Int((rate * 10_000).rounded())
        let whole = hundredths / 100
        let fraction = hundredths % 100
        if fraction == 0 { return "\(whole)" }
        return fraction % 10 == 0 ? "\(whole).\(fraction / 10)" : "\(whole).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    /// Renders everything about a card that does not depend on the request.
    private static func renderStaticPrefix(_ card: SimulatedCard, tags: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(1_200)
        func key(_ name: String) {
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: name.utf8)
            out.append(contentsOf: "\":".utf8)
        }
        func string(_ name: String, _ value: String?) {
            key(name)
            if let value { JSONWriter.appendString(value, to: &out) } else { out.append(contentsOf: "null".utf8) }
            out.append(UInt8(ascii: ","))
        }
        func integer(_ name: String, _ value: Int) {
            key(name)
            JSONWriter.appendInteger(Int64(value), to: &out)
            out.append(UInt8(ascii: ","))
        }
        func raw(_ name: String, _ json: String) {
            key(name)
            out.append(contentsOf: json.utf8)
            out.append(UInt8(ascii: ","))
        }
        func quoted(_ text: String) -> String {
            var bytes: [UInt8] = []
            JSONWriter.appendString(text, to: &bytes)
            return String(decoding: bytes, as: UTF8.self)
        }

        out.append(UInt8(ascii: "{"))
        integer("id", card.id)
        string("card_name", card.name)
        string("seo_card_alias", card.alias)
        integer("bank_id", card.bankID)
        string("joining_fees", String(card.joiningFee))
        string("annual_fees", String(card.annualFee))

        let welcome =
            card.welcomeValue > 0
            ? "[{\"cash_value\":\(card.welcomeValue),\"minimum_spend\":\"\(card.welcomeValue * 20)\",\"maximum_days\":\"30\"}]"
            : "[]"
        raw("welcomeBenefits", welcome)
        let dining =
            card.diningDiscount > 0
            ? "[{\"discount\":\"\(percent(card.diningDiscount))\",\"monthly_cap\":\(Int(card.diningCapMonthly))}]"
            : "[]"
        raw("food_dining_benefits", dining)
        let milestones = card.milestones.map {
            "{\"minimum_spend\":\"\(Int($0.annualSpend))\",\"maximum_days\":\"365\",\"cash_value\":\(Int($0.bonus))}"
        }
        raw("milestone_benefits", "[\(milestones.joined(separator: ","))]")
        let topRates = card.rates.enumerated().sorted { $0.element > $1.element || ($0.element == $1.element && $0.offset < $1.offset) }.prefix(2)
        let usps = topRates.enumerated().map { position, entry in
            let field = String(SpendSchema.fields[entry.offset].rawValue.map { $0 == "_" ? " " : $0 })
            return "{\"header\":\(quoted("\(percent(entry.element))% back on \(field)")),\"priority\":\(position + 1)}"
        }
        raw("product_usps", "[\(usps.joined(separator: ","))]")
        raw(
            "travel_benefits",
            "{\"domestic_lounges_unlocked\":\(card.domesticLounges * 4),\"international_lounges_unlocked\":\(card.internationalLounges * 4),\"railway_lounges_unlocked\":\(card.railwayLounges * 4)}"
        )
        string("tags", tags)
        string("image", "https://cdn.cg.example/c/\(card.id).webp")
        string("card_bg_image", "https://cdn.cg.example/bg/\(card.id).webp")
        string("cg_network_url", card.id % 3 == 0 ? nil : "https://cg.example/apply/\(card.id)")
        string("ck_store_url", "https://ck.example/s/\(card.id)")
        string("ck_store_url_2", card.id % 2 == 0 ? "https://ck.example/s/\(card.id)-ltf" : nil)
        return out
    }
}

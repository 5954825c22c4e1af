import CardGenius
import StrictJSON

/// Computes the simulator's answer for a spend profile: every card's savings, yearly
/// savings, extra benefits and ROI after fees, ranked best first, rendered by byte
/// concatenation onto the cards' pre-rendered JSON.
///
/// The answer depends only on the spends, so the same request always yields the same bytes.
struct RecommendationEngine: Sendable {
    let catalogue: CardCatalogue
    let top: Int

    /// Value of one lounge visit, in INR.
    static let domesticLoungeValue = 1_000.0
    static let internationalLoungeValue = 2_500.0
    static let railwayLoungeValue = 250.0

    init(catalogue: CardCatalogue, top: Int) {
        self.catalogue = catalogue
        self.top = max(1, top)
    }

    /// A card's totals for one profile (yearly INR).
    struct Totals {
        var savingsYearly = 0.0
        var extraBenefits = 0.0
        var maxPotential = 0.0
        var spendsYearly = 0.0
        var annualFee = 0.0

        var totalBenefits: Double { self.savingsYearly + self.extraBenefits }
        var roi: Double { self.totalBenefits - self.annualFee }
    }

    /// Evaluates `card` for `spends` (indexed by field ordinal); when `savings` and `spendOut`
    /// are given, also fills in the yearly savings and the monthly-or-annual spend per field.
    static func evaluate(
        _ card: SimulatedCard,
        spends: UnsafeBufferPointer<Double>,
        savings: UnsafeMutableBufferPointer<Double>? = nil,
        spendOut: UnsafeMutableBufferPointer<Double>? = nil
    ) -> Totals {
        var totals = Totals()
        totals.annualFee = Double(card.annualFee)
        let count = SpendSchema.count
        card.rates.withUnsafeBufferPointer { rates in
            card.caps.withUnsafeBufferPointer { caps in
                SpendSchema.isMonthly.withUnsafeBufferPointer { isMonthly in
                    SpendSchema.isAmount.withUnsafeBufferPointer { isAmount in
                        for ordinal in 0..<count {
                            let amount = spends[ordinal]
                            var fieldSavings = 0.0
                            var fieldSpend = 0.0
                            if isAmount[ordinal] {
                                fieldSpend = amount
                                if amount > 0 {
                                    let reward = amount * rates[ordinal]
                                    let months = isMonthly[ordinal] ? 12.0 : 1.0
                                    fieldSavings = min(reward, caps[ordinal]) * months
                                    totals.maxPotential += reward * months
                                    totals.spendsYearly += amount * months
                                }
                            }
                            savings?[ordinal] = fieldSavings
                            spendOut?[ordinal] = fieldSpend
                            totals.savingsYearly += fieldSavings
                        }
                    }
                }
            }
        }
        // Movies and dining: usage per month times the average bill.
        func usage(_ usageOrdinal: Int, _ valueOrdinal: Int, discount: Double, cap: Double) {
            let monthly = max(0, spends[usageOrdinal]) * max(0, spends[valueOrdinal])
            guard monthly > 0 else { return }
            let reward = monthly * discount
            let yearly = min(reward, cap) * 12
            totals.savingsYearly += yearly
            totals.maxPotential += reward * 12
            totals.spendsYearly += monthly * 12
            savings?[usageOrdinal] = yearly
            spendOut?[usageOrdinal] = monthly
        }
        usage(SpendSchema.movieUsage, SpendSchema.movieMov, discount: card.movieDiscount, cap: card.movieCapMonthly)
        usage(SpendSchema.diningUsage, SpendSchema.diningMov, discount: card.diningDiscount, cap: card.diningCapMonthly)
        // Lounges: visits per quarter, covered up to the card's allowance.
        func lounge(_ ordinal: Int, allowance: Int, value: Double) {
            let visits = max(0, spends[ordinal])
            guard visits > 0 else { return }
            let covered = min(visits, Double(allowance)) * 4 * value
            totals.extraBenefits += covered
            totals.maxPotential += visits * 4 * value
            savings?[ordinal] = covered
            spendOut?[ordinal] = visits
        }
        lounge(SpendSchema.domesticLounge, allowance: card.domesticLounges, value: Self.domesticLoungeValue)
        lounge(SpendSchema.internationalLounge, allowance: card.internationalLounges, value: Self.internationalLoungeValue)
        lounge(SpendSchema.railwayLounge, allowance: card.railwayLounges, value: Self.railwayLoungeValue)
        // Milestones on the year's total spend.
        for milestone in card.milestones where totals.spendsYearly >= milestone.annualSpend {
            totals.extraBenefits += milestone.bonus
        }
        return totals
    }

    /// The full response body for `spends` (indexed by field ordinal, `SpendSchema.count` long).
    func answer(spends: [Double]) -> [UInt8] {
        spends.withUnsafeBufferPointer { spends in
            let cards = self.catalogue.cards
            // Rank every card by ROI, best first; ties by id.
            var ranked: [(roi: Double, index: Int)] = []
            ranked.reserveCapacity(cards.count)
            // Index the array rather than iterating it: a bound element would be a copy of the
            // card (a retain per array member), which dominated the profile.
            for index in cards.indices {
                ranked.append((Self.evaluate(cards[index], spends: spends).roi, index))
            }
            ranked.sort { $0.roi > $1.roi || ($0.roi == $1.roi && cards[$0.index].id < cards[$1.index].id) }

            var out: [UInt8] = []
            out.reserveCapacity(2_600 * min(self.top, cards.count) + 64)
            out.append(contentsOf: #"{"success":true,"message":"","savings":["#.utf8)
            let count = SpendSchema.count
            withUnsafeTemporaryAllocation(of: Double.self, capacity: count * 2) { scratch in
                let savings = UnsafeMutableBufferPointer(rebasing: scratch[0..<count])
                let spendOut = UnsafeMutableBufferPointer(rebasing: scratch[count..<(count * 2)])
                for (position, entry) in ranked.prefix(self.top).enumerated() {
                    if position > 0 { out.append(UInt8(ascii: ",")) }
                    let totals = Self.evaluate(cards[entry.index], spends: spends, savings: savings, spendOut: spendOut)
                    self.render(cards[entry.index], totals: totals, savings: savings, spend: spendOut, to: &out)
                }
            }
            out.append(contentsOf: "]}".utf8)
            return out
        }
    }

    private func render(
        _ card: SimulatedCard,
        totals: Totals,
        savings: UnsafeMutableBufferPointer<Double>,
        spend: UnsafeMutableBufferPointer<Double>,
        to out: inout [UInt8]
    ) {
        @inline(__always) func integer(_ value: Double) {
            JSONWriter.appendInteger(Int64(value.rounded()), to: &out)
        }
        out.append(contentsOf: card.staticPrefix)
        out.append(contentsOf: #""total_savings":"#.utf8)
        integer(totals.savingsYearly / 12)
        out.append(contentsOf: #","total_savings_yearly":"#.utf8)
        integer(totals.savingsYearly)
        out.append(contentsOf: #","total_extra_benefits":"#.utf8)
        integer(totals.extraBenefits)
        out.append(contentsOf: #","max_potential_savings":"#.utf8)
        integer(totals.maxPotential)
        out.append(contentsOf: #","total_benefits":"#.utf8)
        integer(totals.totalBenefits)
        out.append(contentsOf: #","total_spends":"#.utf8)
        integer(totals.spendsYearly)
        out.append(contentsOf: #","roi":"#.utf8)
        integer(totals.roi)

        // category_breakdown: yearly savings per group that saves anything.
        var groupSavings = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
        withUnsafeMutableBytes(of: &groupSavings) { raw in
            let groups = raw.bindMemory(to: Double.self)
            for ordinal in 0..<SpendSchema.count { groups[SpendSchema.groupOf[ordinal]] += savings[ordinal] }
            out.append(contentsOf: #","category_breakdown":{"#.utf8)
            var first = true
            for group in SpendSchema.Group.allCases where groups[group.rawValue] >= 0.5 {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                out.append(UInt8(ascii: "\""))
                out.append(contentsOf: group.name.utf8)
                out.append(contentsOf: #"":{"savings":"#.utf8)
                integer(groups[group.rawValue])
                out.append(UInt8(ascii: "}"))
            }
        }

        // spending_breakdown: one entry per field the profile spends on and the card rewards.
        out.append(contentsOf: #"},"spending_breakdown":{"#.utf8)
        var first = true
        for ordinal in 0..<SpendSchema.count where spend[ordinal] > 0 && savings[ordinal] >= 0.5 {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            out.append(contentsOf: self.catalogue.breakdownPrefix[ordinal])
            JSONWriter.appendNumber(spend[ordinal], to: &out)
            // Savings in the field's own period: monthly for monthly amounts and usage, else yearly.
            out.append(contentsOf: #","savings":"#.utf8)
            integer(SpendSchema.reportsMonthly[ordinal] ? savings[ordinal] / 12 : savings[ordinal])
            out.append(contentsOf: card.breakdownSuffix[ordinal])
        }
        // spending_breakdown_array: the (up to) three fields that save the most, best first.
        out.append(contentsOf: #"},"spending_breakdown_array":["#.utf8)
        var best = (-1, -1, -1)
        func better(_ a: Int, than b: Int) -> Bool { b < 0 || savings[a] > savings[b] }
        for ordinal in 0..<SpendSchema.count where savings[ordinal] >= 0.5 {
            if better(ordinal, than: best.0) {
                best = (ordinal, best.0, best.1)
            } else if better(ordinal, than: best.1) {
                best = (best.0, ordinal, best.1)
            } else if better(ordinal, than: best.2) {
                best.2 = ordinal
            }
        }
        for (position, ordinal) in [best.0, best.1, best.2].enumerated() where ordinal >= 0 {
            if position > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: self.catalogue.quotedNames[ordinal])
        }
        out.append(contentsOf: "]}".utf8)
    }
}

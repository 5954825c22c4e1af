import Foundation

/// A member's share of the group-wide budgets.
///
/// The budgets are carried by partitions, and a member takes what its partitions carry,
/// so the members together never exceed what CardGenius agreed to, without any
/// coordination service: a member knows only its own partitions, the input topic's
/// partition count and the budgets, and the shares of any members owning disjoint
/// partitions add up to at most the budgets.
///
/// The budgets are carried by the lowest-numbered ``carriers(maxWorkers:burst:rateEnabled:total:)``
/// partitions: as many as there are partitions, but no more than `processing.max_workers`
/// slots and (with the rate limit on) whole calls of `api.rate_limit.burst`, so that each
/// carrier has at least one slot and one burst token. Carrier `p` holds
/// `maxWorkers / carriers` slots, one more when `p < maxWorkers % carriers`, and
/// `1 / carriers` of the rate and of the burst. Lowest-numbered partitions, because the
/// member's round-robin assignor deals partition `k` to the `k`-th member: with no more
/// members than carriers, every member owns one.
///
/// A member that owns partitions but no carrier is *starved*: its share is zero, it holds
/// its partitions and says so (``RecommendationPipeline``'s log line, metric and readiness),
/// rather than take a slot nobody gave it.
package struct BudgetShare: Sendable, Equatable, CustomStringConvertible {
    /// API calls this member may have in flight.
    package var maxInFlight: Int
    /// API calls per second this member may start.
    package var ratePerSecond: Double
    /// The burst this member may use (0: no call).
    package var burst: Double
    /// Partitions carrying the budgets (the lowest-numbered ones), 0 when none do.
    package var carriers: Int
    /// Input partitions this member owns.
    package var owned: Int
    /// Partitions of the input topic the share was computed for (0: unknown).
    package var total: Int

    /// No share at all (owning nothing, or the partition count unknown).
    package static let zero = BudgetShare(maxInFlight: 0, ratePerSecond: 0, burst: 0, carriers: 0, owned: 0, total: 0)

    init(maxInFlight: Int, ratePerSecond: Double, burst: Double, carriers: Int, owned: Int, total: Int) {
        self.maxInFlight = maxInFlight
        self.ratePerSecond = ratePerSecond
        self.burst = burst
        self.carriers = carriers
        self.owned = owned
        self.total = total
    }

    /// How many of `total` partitions carry the budgets: no more than the slots of
    /// `maxWorkers`, nor (rate limit on) the whole calls of `burst`.
    package static func carriers(maxWorkers: Int, burst: Double, rateEnabled: Bool, total: Int) -> Int {
        var n = min(max(total, 0), max(maxWorkers, 0))
        if rateEnabled {
            // Clamped before the conversion: a burst is outside input, never trusted to fit.
            let whole = burst.isFinite ? Int(min(max(burst, 0), Double(Int32.max)).rounded(.down)) : 0
            n = min(n, whole)
        }
        return n
    }

    /// The share of a member owning `partitions` (ids) of `total`.
    ///
    /// `total` 0 (unknown) gives no share: a member that cannot tell its fraction takes
    /// nothing rather than everything. Partition ids at or above `total` carry nothing.
    package init(
        maxWorkers: Int, rate: Double, burst: Double, rateEnabled: Bool = true,
        partitions: some Collection<Int32>, total: Int
    ) {
        let owned = Set(partitions)
        let carriers = Self.carriers(maxWorkers: maxWorkers, burst: burst, rateEnabled: rateEnabled, total: total)
        let held = owned.filter { $0 >= 0 && Int($0) < carriers }
        guard total > 0, carriers > 0, !held.isEmpty else {
            self = .zero
            self.carriers = carriers
            self.owned = owned.count
            self.total = max(total, 0)
            return
        }
        let base = maxWorkers / carriers
        let extra = maxWorkers % carriers
        self.maxInFlight = held.reduce(0) { $0 + base + (Int($1) < extra ? 1 : 0) }
        let fraction = Double(held.count) / Double(carriers)
        self.ratePerSecond = max(rate, 0) * fraction
        self.burst = max(burst, 0) * fraction
        self.carriers = carriers
        self.owned = owned.count
        self.total = total
    }

    /// Whether the member owns partitions but none carries a share of the budgets.
    package var isStarved: Bool { owned > 0 && total > 0 && maxInFlight == 0 }

    package var description: String {
        "in-flight \(maxInFlight), \(String(format: "%.2f", ratePerSecond)) calls/s, burst \(String(format: "%.1f", burst))"
    }
}

/// One consumer-group member's part of the group-wide budgets.
///
/// Mirrors the pipeline's `BudgetShare`: the budgets are carried by the lowest-numbered
/// partitions — as many as there are partitions, but no more than the workers (and, with the
/// rate limit on, the whole calls of the burst) — each carrier holding `workers / carriers`
/// slots (the lowest `workers % carriers` one more) and `1 / carriers` of the rate and burst;
/// a member takes what its partitions carry, and one owning no carrier is starved (it holds
/// its partitions and does nothing). Partitions are dealt as the member's round-robin
/// assignor deals them: member `k` owns partitions `k`, `k + members`, ..., so 8 partitions
/// over 3 members are 3, 3, 2.
package struct MemberShare: Sendable, Equatable, Codable {
    /// 1-based member number.
    package var member: Int
    /// Partitions this member owns (0 for an idle member).
    package var partitions: Int
    /// API calls this member may have in flight.
    package var maxInFlight: Int
    /// Calls per second this member may start (its part of the rate budget; 0 when idle).
    package var ratePerSecond: Double
    /// Burst this member's token bucket allows.
    package var burst: Double
    /// Calls per second this member will actually make: `min(rate share, in-flight / latency)`,
    /// or `in-flight / latency` when the rate budget is disabled.
    package var callsPerSecond: Double

    /// Whether this member owns no partition and does nothing.
    package var isIdle: Bool { partitions == 0 }
    /// Whether this member owns partitions but none carries a share of the budgets: it
    /// holds them and does nothing (more members than workers or whole burst calls).
    package var isStarved: Bool { partitions > 0 && maxInFlight == 0 }

    /// Partitions carrying the budgets: no more than the workers, nor (rate limit on) the
    /// whole calls of the burst.
    package static func carriers(_ inputs: PlanInputs) -> Int {
        var n = min(max(inputs.partitions, 0), max(inputs.workers, 0))
        if inputs.rateLimitEnabled {
            n = min(n, inputs.burst.isFinite ? Int(min(max(inputs.burst, 0), Double(Int32.max)).rounded(.down)) : 0)
        }
        return n
    }

    /// Partitions owned by each of `members` members over `partitions` partitions.
    package static func partitionCounts(members: Int, partitions: Int) -> [Int] {
        guard members > 0 else { return [] }
        let base = partitions / members
        let extra = partitions % members
        return (0..<members).map { base + ($0 < extra ? 1 : 0) }
    }

    /// The shares of every member for the given inputs.
    static func split(_ inputs: PlanInputs, latencySeconds: Double) -> [MemberShare] {
        let counts = partitionCounts(members: inputs.members, partitions: inputs.partitions)
        let carriers = Self.carriers(inputs)
        return counts.enumerated().map { index, owned in
            // Round robin: member `index` owns `index`, `index + members`, ...
            let held = carriers > 0 ? Array(stride(from: index, to: carriers, by: max(inputs.members, 1))) : []
            guard owned > 0, !held.isEmpty else {
                return MemberShare(
                    member: index + 1, partitions: owned, maxInFlight: 0,
                    ratePerSecond: 0, burst: 0, callsPerSecond: 0)
            }
            let inFlight = held.reduce(0) { $0 + inputs.workers / carriers + ($1 < inputs.workers % carriers ? 1 : 0) }
            let fraction = Double(held.count) / Double(carriers)
            let rate = inputs.ratePerSecond * fraction
            let burst = inputs.burst * fraction
            let capacity = Double(inFlight) / latencySeconds
            let calls = inputs.rateLimitEnabled ? min(rate, capacity) : capacity
            return MemberShare(
                member: index + 1, partitions: owned, maxInFlight: inFlight,
                ratePerSecond: rate, burst: burst, callsPerSecond: calls)
        }
    }
}

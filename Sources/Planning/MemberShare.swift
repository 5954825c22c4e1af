/// One consumer-group member's part of the group-wide budgets.
///
/// Mirrors the pipeline's `BudgetShare`: a member owning `owned` of `total` partitions
/// takes that fraction of the budgets; concurrency is rounded down but is at least one for
/// a member that owns anything; rate and burst are split exactly (burst at least one call).
/// Partitions are dealt as Kafka's range assignor deals them: `total / members` each, the
/// first `total % members` members one more, so 8 partitions over 3 members are 3, 3, 2.
public struct MemberShare: Sendable, Equatable, Codable {
    /// 1-based member number.
    public var member: Int
    /// Partitions this member owns (0 for an idle member).
    public var partitions: Int
    /// API calls this member may have in flight.
    public var maxInFlight: Int
    /// Calls per second this member may start (its part of the rate budget; 0 when idle).
    public var ratePerSecond: Double
    /// Burst this member's token bucket allows.
    public var burst: Double
    /// Calls per second this member will actually make: `min(rate share, in-flight / latency)`,
    /// or `in-flight / latency` when the rate budget is disabled.
    public var callsPerSecond: Double

    /// Whether this member owns no partition and does nothing.
    public var isIdle: Bool { partitions == 0 }

    /// Partitions owned by each of `members` members over `partitions` partitions.
    public static func partitionCounts(members: Int, partitions: Int) -> [Int] {
        guard members > 0 else { return [] }
        let base = partitions / members
        let extra = partitions % members
        return (0..<members).map { base + ($0 < extra ? 1 : 0) }
    }

    /// The shares of every member for the given inputs.
    static func split(_ inputs: PlanInputs, latencySeconds: Double) -> [MemberShare] {
        let counts = partitionCounts(members: inputs.members, partitions: inputs.partitions)
        return counts.enumerated().map { index, owned in
            guard owned > 0 else {
                return MemberShare(member: index + 1, partitions: 0, maxInFlight: 0,
                                   ratePerSecond: 0, burst: 0, callsPerSecond: 0)
            }
            let fraction = Double(owned) / Double(inputs.partitions)
            let inFlight = max(1, Int((Double(inputs.workers) * fraction).rounded(.down)))
            let rate = inputs.ratePerSecond * fraction
            let burst = max(1, inputs.burst * fraction)
            let capacity = Double(inFlight) / latencySeconds
            let calls = inputs.rateLimitEnabled ? min(rate, capacity) : capacity
            return MemberShare(member: index + 1, partitions: owned, maxInFlight: inFlight,
                               ratePerSecond: rate, burst: burst, callsPerSecond: calls)
        }
    }
}

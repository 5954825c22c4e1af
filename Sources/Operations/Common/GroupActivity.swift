import Kafka

/// Whether a consumer group has members other than the caller, as far as it can be told.
package enum GroupActivity: Sendable, Hashable {
    /// No other member: the caller may reset offsets.
    case idle
    /// Other members are working; `evidence` says how it was seen.
    case active(evidence: String)
    /// The check could not tell (for example DescribeConsumerGroups on the mock cluster).
    case unknown(reason: String)
}

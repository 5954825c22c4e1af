import Kafka

/// Whether a consumer group has members other than the caller, as far as it can be told.
public enum GroupActivity: Sendable, Hashable {
    /// No other member: the caller may reset offsets.
    case idle
    /// Other members are working; `evidence` says how it was seen.
    case active(evidence: String)
    /// The check could not tell (for example DescribeConsumerGroups on the mock cluster).
    case unknown(reason: String)
}

/// A refusal of `cardgenius replay` (exit status 2): active members, or no confirmation.
public struct ReplayRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: Hashable, Sendable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        /// The group has active members.
        public static let activeMembers = Code(rawValue: "active-members")
        /// Not confirmed (no `--yes` off a terminal, or answered no).
        public static let notConfirmed = Code(rawValue: "not-confirmed")
    }

    public var code: Code
    public var message: String
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// The refusal for a group with active members.
    public static func activeMembers(group: String, evidence: String) -> ReplayRefusal {
        ReplayRefusal(.activeMembers, "group \(group) has active members (\(evidence)); stop them first (e.g. SIGTERM the consume processes) and run replay again")
    }
}

/// An error reported by librdkafka or by this wrapper.
///
/// Modelled on swift-nio's error structs: a stable ``Code`` to switch on, a
/// human-readable message, and librdkafka's own verdict on whether retrying can help.
public struct KafkaError: Error, Sendable, CustomStringConvertible, Hashable {
    /// A stable error code. Codes that come from librdkafka keep its numeric value.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// librdkafka's response code (its name in the comment of each constant below), or
        /// a negative wrapper code below -1000.
        public let rawValue: Int32

        public init(rawValue: Int32) { self.rawValue = rawValue }

        /// The configuration was rejected (unknown property or invalid value).
        public static let configuration = Code(rawValue: -2000)
        /// The client has been closed or was never started.
        public static let closed = Code(rawValue: -2001)
        /// A record or argument was invalid before it reached librdkafka.
        public static let invalidArgument = Code(rawValue: -2002)
        /// The mock cluster could not be created.
        public static let mockCluster = Code(rawValue: -2003)
        /// librdkafka's local producer queue is full.
        public static let queueFull = Code(rawValue: -184)  // _QUEUE_FULL
        /// A local or broker time-out.
        public static let timedOut = Code(rawValue: -185)  // _TIMED_OUT
        /// A message could not be delivered before `message.timeout.ms`.
        public static let messageTimedOut = Code(rawValue: -192)  // _MSG_TIMED_OUT
        /// A commit arrived while the group was rebalancing.
        public static let rebalanceInProgress = Code(rawValue: 27)  // REBALANCE_IN_PROGRESS
        /// The member is no longer part of the group's current generation.
        public static let illegalGeneration = Code(rawValue: 22)  // ILLEGAL_GENERATION
        /// The topic or partition does not exist.
        public static let unknownTopicOrPartition = Code(rawValue: 3)  // UNKNOWN_TOPIC_OR_PART
        /// Nothing to commit.
        public static let noOffset = Code(rawValue: -168)  // _NO_OFFSET
        /// The operation is not supported by the broker (for example the mock cluster).
        public static let unsupported = Code(rawValue: -170)  // _NOT_IMPLEMENTED
        /// The broker does not support the request (librdkafka's local verdict, for example
        /// DescribeConsumerGroups against the mock cluster).
        public static let unsupportedFeature = Code(rawValue: -165)  // _UNSUPPORTED_FEATURE
        /// A member joined with an assignment protocol the group's members do not share.
        public static let inconsistentGroupProtocol = Code(rawValue: 23)  // INCONSISTENT_GROUP_PROTOCOL
        /// The group coordinator does not know this member (it was removed from the group).
        public static let unknownMemberID = Code(rawValue: 25)  // UNKNOWN_MEMBER_ID
        /// The client raised a fatal error and is unusable (librdkafka's fatal error).
        public static let fatal = Code(rawValue: -150)  // _FATAL
        /// The broker refused access to the topic.
        public static let topicAuthorizationFailed = Code(rawValue: 29)  // TOPIC_AUTHORIZATION_FAILED
        /// The broker refused access to the cluster.
        public static let clusterAuthorizationFailed = Code(rawValue: 31)  // CLUSTER_AUTHORIZATION_FAILED
        /// A record larger than the topic's `max.message.bytes` (the broker's answer) or than
        /// the client's `message.max.bytes` (librdkafka's check before sending).
        public static let messageSizeTooLarge = Code(rawValue: 10)  // MSG_SIZE_TOO_LARGE
        /// The topic does not exist in the cluster (librdkafka's local verdict).
        public static let unknownTopic = Code(rawValue: -188)  // _UNKNOWN_TOPIC
        /// Too few in-sync replicas to accept the write (retriable).
        public static let notEnoughReplicas = Code(rawValue: 19)  // NOT_ENOUGH_REPLICAS
        /// The group coordinator is not available (retriable).
        public static let coordinatorNotAvailable = Code(rawValue: 15)  // COORDINATOR_NOT_AVAILABLE
        /// The broker is not the group coordinator (retriable).
        public static let notCoordinator = Code(rawValue: 16)  // NOT_COORDINATOR
        /// The broker's request time-out passed (retriable).
        public static let requestTimedOut = Code(rawValue: 7)  // REQUEST_TIMED_OUT
        /// The partition's leader is not available (retriable).
        public static let leaderNotAvailable = Code(rawValue: 5)  // LEADER_NOT_AVAILABLE
        /// Another member runs with the same `group.instance.id` (static membership).
        public static let fencedInstanceID = Code(rawValue: 82)  // FENCED_INSTANCE_ID

        public var description: String {
            if rawValue <= -2000 {
                switch self {
                case .configuration: return "configuration"
                case .closed: return "closed"
                case .invalidArgument: return "invalid-argument"
                case .mockCluster: return "mock-cluster"
                default: return "wrapper(\(rawValue))"
                }
            }
            return RDKafkaError.name(rawValue)
        }
    }

    /// What went wrong, as a stable code.
    public var code: Code
    /// A message for people: the operation and librdkafka's explanation.
    public var message: String
    /// Whether trying the same operation again may succeed.
    public var isRetriable: Bool
    /// Whether the client is unusable from now on (for example a fatal idempotence error).
    public var isFatal: Bool

    public init(code: Code, message: String, isRetriable: Bool = false, isFatal: Bool = false) {
        self.code = code
        self.message = message
        self.isRetriable = isRetriable
        self.isFatal = isFatal
    }

    public var description: String { "KafkaError(\(code)): \(message)" }

    static func closed(_ operation: String) -> KafkaError {
        KafkaError(code: .closed, message: "\(operation): the client is closed")
    }
}

import CRDKafka

/// An error reported by librdkafka or by this wrapper.
///
/// Modelled on swift-nio's error structs: a stable ``Code`` to switch on, a
/// human-readable message, and librdkafka's own verdict on whether retrying can help.
public struct KafkaError: Error, Sendable, CustomStringConvertible, Hashable {
    /// A stable error code. Codes that come from librdkafka keep its numeric value.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// librdkafka's `rd_kafka_resp_err_t` value, or a negative wrapper code below -1000.
        public let rawValue: Int32

        public init(rawValue: Int32) { self.rawValue = rawValue }

        init(_ err: rd_kafka_resp_err_t) { self.rawValue = err.rawValue }

        /// The configuration was rejected (unknown property or invalid value).
        public static let configuration = Code(rawValue: -2000)
        /// The client has been closed or was never started.
        public static let closed = Code(rawValue: -2001)
        /// A record or argument was invalid before it reached librdkafka.
        public static let invalidArgument = Code(rawValue: -2002)
        /// The mock cluster could not be created.
        public static let mockCluster = Code(rawValue: -2003)
        /// librdkafka's local producer queue is full.
        public static let queueFull = Code(RD_KAFKA_RESP_ERR__QUEUE_FULL)
        /// A local or broker time-out.
        public static let timedOut = Code(RD_KAFKA_RESP_ERR__TIMED_OUT)
        /// A message could not be delivered before `message.timeout.ms`.
        public static let messageTimedOut = Code(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT)
        /// A commit arrived while the group was rebalancing.
        public static let rebalanceInProgress = Code(RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS)
        /// The member is no longer part of the group's current generation.
        public static let illegalGeneration = Code(RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION)
        /// The topic or partition does not exist.
        public static let unknownTopicOrPartition = Code(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
        /// Nothing to commit.
        public static let noOffset = Code(RD_KAFKA_RESP_ERR__NO_OFFSET)
        /// The operation is not supported by the broker (for example the mock cluster).
        public static let unsupported = Code(RD_KAFKA_RESP_ERR__NOT_IMPLEMENTED)
        /// The broker does not support the request (librdkafka's local verdict, for example
        /// DescribeConsumerGroups against the mock cluster).
        public static let unsupportedFeature = Code(RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE)
        /// A member joined with an assignment protocol the group's members do not share.
        public static let inconsistentGroupProtocol = Code(RD_KAFKA_RESP_ERR_INCONSISTENT_GROUP_PROTOCOL)
        /// The group coordinator does not know this member (it was removed from the group).
        public static let unknownMemberID = Code(RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID)
        /// The client raised a fatal error and is unusable (see librdkafka's `rd_kafka_fatal_error`).
        public static let fatal = Code(RD_KAFKA_RESP_ERR__FATAL)
        /// The broker refused access to the topic.
        public static let topicAuthorizationFailed = Code(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED)
        /// The broker refused access to the cluster.
        public static let clusterAuthorizationFailed = Code(RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED)
        /// A record larger than the topic's `max.message.bytes` (the broker's answer) or than
        /// the client's `message.max.bytes` (librdkafka's check before sending).
        public static let messageSizeTooLarge = Code(RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE)
        /// The topic does not exist in the cluster (librdkafka's local verdict).
        public static let unknownTopic = Code(RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC)
        /// Too few in-sync replicas to accept the write (retriable).
        public static let notEnoughReplicas = Code(RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS)
        /// The group coordinator is not available (retriable).
        public static let coordinatorNotAvailable = Code(RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE)
        /// The broker is not the group coordinator (retriable).
        public static let notCoordinator = Code(RD_KAFKA_RESP_ERR_NOT_COORDINATOR)
        /// The broker's request time-out passed (retriable).
        public static let requestTimedOut = Code(RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT)
        /// The partition's leader is not available (retriable).
        public static let leaderNotAvailable = Code(RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE)
        /// Another member runs with the same `group.instance.id` (static membership).
        public static let fencedInstanceID = Code(RD_KAFKA_RESP_ERR_FENCED_INSTANCE_ID)

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
            return String(cString: rd_kafka_err2name(rd_kafka_resp_err_t(rawValue: rawValue)))
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

    // MARK: - Construction at the C boundary

    /// Wraps a plain response code, classifying the codes that retrying can fix.
    static func from(_ err: rd_kafka_resp_err_t, _ operation: String) -> KafkaError {
        let text = String(cString: rd_kafka_err2str(err))
        return KafkaError(
            code: Code(err),
            message: "\(operation): \(text)",
            isRetriable: Self.retriableCodes.contains(err.rawValue),
            isFatal: err == RD_KAFKA_RESP_ERR__FATAL
        )
    }

    /// Wraps and destroys an `rd_kafka_error_t`, which carries librdkafka's own verdicts.
    static func consume(_ error: OpaquePointer, _ operation: String) -> KafkaError {
        defer { rd_kafka_error_destroy(error) }
        return KafkaError(
            code: Code(rd_kafka_error_code(error)),
            message: "\(operation): \(String(cString: rd_kafka_error_string(error)))",
            isRetriable: rd_kafka_error_is_retriable(error) != 0
                || Self.retriableCodes.contains(rd_kafka_error_code(error).rawValue),
            isFatal: rd_kafka_error_is_fatal(error) != 0
        )
    }

    static func closed(_ operation: String) -> KafkaError {
        KafkaError(code: .closed, message: "\(operation): the client is closed")
    }

    private static let retriableCodes: Set<Int32> = [
        RD_KAFKA_RESP_ERR__QUEUE_FULL, RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR__TRANSPORT,
        RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, RD_KAFKA_RESP_ERR__MSG_TIMED_OUT,
        RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS, RD_KAFKA_RESP_ERR_NOT_COORDINATOR,
        RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS,
        RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE,
        RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION,
        RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, RD_KAFKA_RESP_ERR__WAIT_COORD,
        RD_KAFKA_RESP_ERR__IN_PROGRESS, RD_KAFKA_RESP_ERR__PREV_IN_PROGRESS,
    ].reduce(into: Set<Int32>()) { $0.insert($1.rawValue) }
}

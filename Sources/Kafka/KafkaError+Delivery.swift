import CRDKafka

extension KafkaError {
    /// What a failed delivery means for the record and for the producer, so a caller can
    /// tell a write worth retrying from one the broker will never take.
    public enum DeliveryVerdict: Sendable, Equatable {
        /// Transient (time-outs, leader moves, too few replicas): retry with back-off.
        case retry
        /// The broker (or librdkafka's size check) refuses this record itself, for example
        /// because it is larger than the topic accepts; other records may still go through.
        case recordRejected
        /// The topic refuses every write from this client for good: authorization, a topic
        /// that does not exist, a policy violation, failed authentication.
        case topicRefused
        /// The producer is unusable (a fatal idempotence error) or closed.
        case fatal
    }

    /// The verdict on a failed delivery of a record (from ``KafkaProducer/send(_:)``).
    public var deliveryVerdict: DeliveryVerdict {
        if isFatal || code == .fatal || code == .closed { return .fatal }
        if Self.recordRejectedCodes.contains(code.rawValue) { return .recordRejected }
        if Self.topicRefusedCodes.contains(code.rawValue) { return .topicRefused }
        return .retry
    }

    private static let recordRejectedCodes: Set<Int32> = [
        RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE,
        RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE, RD_KAFKA_RESP_ERR_INVALID_RECORD,
        RD_KAFKA_RESP_ERR_INVALID_MSG,
    ].reduce(into: Set<Int32>()) { $0.insert($1.rawValue) }

    private static let topicRefusedCodes: Set<Int32> = [
        RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED,
        RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC, RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION,
        RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION, RD_KAFKA_RESP_ERR_POLICY_VIOLATION,
        RD_KAFKA_RESP_ERR_INVALID_REQUIRED_ACKS, RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED,
        RD_KAFKA_RESP_ERR__AUTHENTICATION, RD_KAFKA_RESP_ERR_UNSUPPORTED_FOR_MESSAGE_FORMAT,
        RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
    ].reduce(into: Set<Int32>()) { $0.insert($1.rawValue) }
}

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
        if RDKafkaError.recordRejectedCodes.contains(code.rawValue) { return .recordRejected }
        if RDKafkaError.topicRefusedCodes.contains(code.rawValue) { return .topicRefused }
        return .retry
    }
}

import CRDKafka

extension RDKafkaClient {
    /// Handles whatever logs and errors wait on ``queue`` without blocking (for clients that
    /// have no poll thread, such as the Admin client).
    func drainCommonEvents() {
        while let event = rd_kafka_queue_poll(queue, 0) {
            _ = handleCommonEvent(event)
            rd_kafka_event_destroy(event)
        }
    }
}

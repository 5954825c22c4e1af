internal import CRDKafka

extension RDKafkaClient {
    /// Handles whatever logs and errors wait on ``queue`` without blocking (for clients that
    /// have no poll thread, such as the Admin client).
    func drainCommonEvents() {
        while let event = rd_kafka_queue_poll(queue, 0) {
            _ = handleCommonEvent(event)
            rd_kafka_event_destroy(event)
        }
    }

    /// Waits up to `timeout` for one event on ``queue`` and handles it as a log or error
    /// (for a poll thread of a client that wants no other events, such as the mock cluster's).
    func pollCommonEvent(timeout: Duration) {
        guard let event = rd_kafka_queue_poll(queue, Int32(clamping: timeout.milliseconds)) else { return }
        _ = handleCommonEvent(event)
        rd_kafka_event_destroy(event)
    }
}

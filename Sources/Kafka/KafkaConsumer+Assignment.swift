extension KafkaConsumer {
    /// Whether librdkafka considers this member's current assignment lost (it was evicted
    /// from the group: session time-out, `max.poll.interval.ms`, a fenced generation), as
    /// soon as librdkafka knows it, before the revocation reaches ``events``. Its answer
    /// is an atomic read: it never blocks.
    public var isAssignmentLost: Bool {
        client.isAssignmentLost
    }

    /// Reads `offsets` directly, without joining the group: each partition starts at its
    /// offset (or a logical one: ``KafkaOffset/beginning``, ``KafkaOffset/end``,
    /// ``KafkaOffset/stored``). No rebalance events are delivered for a manual
    /// assignment. An empty list stops reading everything.
    ///
    /// Use either this or ``subscribe(topics:)`` on one consumer, not both.
    /// (librdkafka's call blocks: it runs on the consumer's blocking queue.)
    public func assign(_ offsets: [KafkaPartitionOffset]) async throws {
        try await client.assign(offsets)
    }

    /// For each partition, the earliest offset whose record timestamp is at or after
    /// `timestampMs` (milliseconds since the epoch), asked of the partition leaders with
    /// ListOffsets. A partition is missing from the answer where the broker knows no such record — past the end of the
    /// partition, or a broker that does not answer timestamp queries (librdkafka's mock
    /// cluster answers -1 for every timestamp).
    public func offsetsForTimes(
        _ partitions: [KafkaTopicPartition], timestampMs: Int64,
        timeout: Duration = .seconds(10)
    ) async throws -> [KafkaTopicPartition: Int64] {
        try await client.offsetsForTimes(partitions, timestampMs: timestampMs, timeout: timeout)
    }
}

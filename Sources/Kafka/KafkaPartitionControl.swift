/// Pauses and resumes a consumer's partitions synchronously. Handed to the body of
/// ``KafkaConsumer/controlPartitions(_:)``, which runs on the consumer's own serial queue,
/// never on Swift's cooperative pool (librdkafka's calls block).
public struct KafkaPartitionControl: Sendable {
    let client: RDKafkaClient

    /// Stops fetching from `partitions`; records already delivered stay delivered.
    /// Partitions already paused by the application are left alone: every pause or resume
    /// bumps the partition's op version in librdkafka, and librdkafka 2.0.2 drops a fetch
    /// start that such a bump overtakes (the partition is then never fetched), so none is
    /// issued that changes nothing.
    public func pause(_ partitions: [KafkaTopicPartition]) throws {
        try client.pausedByApplication.withLock { paused in
            let pausing = partitions.filter { !paused.contains($0) }
            try client.pausePartitions(pausing)
            paused.formUnion(pausing)
        }
    }

    /// Resumes fetching from `partitions` after the last delivered record: only those the
    /// application paused (and did not resume); a resume of any other would change nothing
    /// but librdkafka's op version (see ``pause(_:)``).
    public func resume(_ partitions: [KafkaTopicPartition]) throws {
        try client.pausedByApplication.withLock { paused in
            let resuming = partitions.filter { paused.contains($0) }
            try client.resumePartitions(resuming)
            paused.subtract(resuming)
        }
    }
}

import CRDKafka

/// Pauses and resumes a consumer's partitions synchronously. Handed to the body of
/// ``KafkaConsumer/controlPartitions(_:)``, which runs on the consumer's own serial queue,
/// never on Swift's cooperative pool (librdkafka's calls block).
public struct KafkaPartitionControl: Sendable {
    let client: RDKafkaClient

    /// Stops fetching from `partitions`; records already delivered stay delivered.
    public func pause(_ partitions: [KafkaTopicPartition]) throws {
        guard !partitions.isEmpty else { return }
        let list = RDKafkaTopicPartitionList(partitions)
        let err = rd_kafka_pause_partitions(client.handle, list.pointer)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError.from(err, "pause") }
        try list.throwFirstError("pause")
    }

    /// Resumes fetching from `partitions` after the last delivered record.
    public func resume(_ partitions: [KafkaTopicPartition]) throws {
        guard !partitions.isEmpty else { return }
        let list = RDKafkaTopicPartitionList(partitions)
        let err = rd_kafka_resume_partitions(client.handle, list.pointer)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError.from(err, "resume") }
        try list.throwFirstError("resume")
    }
}

import CRDKafka

/// Pauses and resumes a consumer's partitions synchronously. Handed to the body of
/// ``KafkaConsumer/controlPartitions(_:)``, which runs on the consumer's own serial queue,
/// never on Swift's cooperative pool (librdkafka's calls block).
public struct KafkaPartitionControl: Sendable {
    let client: RDKafkaClient

    /// Stops fetching from `partitions`; records already delivered stay delivered.
    public func pause(_ partitions: [KafkaTopicPartition]) throws {
        try apply(rd_kafka_pause_partitions, to: partitions, "pause")
        client.pausedByApplication.withLock { $0.formUnion(partitions) }
    }

    /// Resumes fetching from `partitions` after the last delivered record.
    public func resume(_ partitions: [KafkaTopicPartition]) throws {
        try apply(rd_kafka_resume_partitions, to: partitions, "resume")
        client.pausedByApplication.withLock { $0.subtract(partitions) }
    }

    private func apply(_ call: (OpaquePointer?, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) -> rd_kafka_resp_err_t,
                       to partitions: [KafkaTopicPartition], _ operation: String) throws {
        guard !partitions.isEmpty else { return }
        let list = RDKafkaTopicPartitionList(partitions)
        let err = call(client.handle, list.pointer)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError.from(err, operation) }
        try list.throwFirstError(operation)
    }
}

internal import CRDKafka

extension RDKafkaClient {
    /// The low and high watermarks of a partition, asked of its leader.
    /// (Detached: librdkafka 2.0.2 waits for the leader's answer beyond `timeout` while the
    /// leader is down; a caller that is cancelled stops waiting.)
    func watermarks(_ partition: KafkaTopicPartition, timeout: Duration) async throws -> (low: Int64, high: Int64) {
        let ms = Int32(clamping: timeout.milliseconds)
        return try await runDetached { rk in
            var low: Int64 = 0
            var high: Int64 = 0
            let err = rd_kafka_query_watermark_offsets(rk, partition.topic, partition.partition, &low, &high, ms)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw RDKafkaError.from(err, "watermarks of \(partition)") }
            return (low, high)
        }
    }

    /// The number of partitions of `topic`, or an error if the topic does not exist.
    func partitionCount(topic: String, timeout: Duration) async throws -> Int {
        let ms = Int32(clamping: timeout.milliseconds)
        return try await runBlocking { rk in
            guard let rkt = rd_kafka_topic_new(rk, topic, nil) else {
                throw KafkaError(code: .invalidArgument, message: "topic \(topic)")
            }
            defer { rd_kafka_topic_destroy(rkt) }
            var metadata: UnsafePointer<rd_kafka_metadata>?
            let err = rd_kafka_metadata(rk, 0, rkt, &metadata, ms)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw RDKafkaError.from(err, "metadata of \(topic)") }
            guard let metadata else { return 0 }
            defer { rd_kafka_metadata_destroy(metadata) }
            guard metadata.pointee.topic_cnt > 0 else { return 0 }
            let t = metadata.pointee.topics[0]
            if t.err != RD_KAFKA_RESP_ERR_NO_ERROR { throw RDKafkaError.from(t.err, "metadata of \(topic)") }
            return Int(t.partition_cnt)
        }
    }
}

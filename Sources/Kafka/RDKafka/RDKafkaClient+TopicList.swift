internal import CRDKafka

extension RDKafkaClient {
    /// Every topic of the cluster with its partition count, from a metadata request for all
    /// topics (which, unlike a request naming a topic, never creates one on brokers that
    /// auto-create topics — the mock cluster does).
    func topicPartitionCounts(timeout: Duration) async throws -> [String: Int] {
        let ms = Int32(clamping: timeout.milliseconds)
        return try await runBlocking { rk in
            var metadata: UnsafePointer<rd_kafka_metadata>?
            let err = rd_kafka_metadata(rk, 1, nil, &metadata, ms)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw RDKafkaError.from(err, "metadata") }
            guard let metadata else { return [:] }
            defer { rd_kafka_metadata_destroy(metadata) }
            var result: [String: Int] = [:]
            for i in 0..<Int(metadata.pointee.topic_cnt) {
                let t = metadata.pointee.topics[i]
                guard t.err == RD_KAFKA_RESP_ERR_NO_ERROR, let name = t.topic else { continue }
                result[String(cString: name)] = Int(t.partition_cnt)
            }
            return result
        }
    }
}

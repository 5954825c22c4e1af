extension KafkaConsumer {
    /// Every topic of the cluster with its partition count. Unlike
    /// ``partitionCount(topic:timeout:)``, asking never creates a missing topic on brokers
    /// that auto-create topics on metadata requests.
    public func topicPartitionCounts(timeout: Duration = .seconds(10)) async throws -> [String: Int] {
        try await client.topicPartitionCounts(timeout: timeout)
    }
}

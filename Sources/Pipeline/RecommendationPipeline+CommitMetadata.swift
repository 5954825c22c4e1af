import Kafka

extension RecommendationPipeline {
    /// The completed offsets the assigned partitions' commit metadata records (a previous
    /// owner's), to skip on sight.
    ///
    /// Any client may commit for the group, so the metadata is decoded here, outside the
    /// state lock, in time linear in its length, and kept only where it can be true: above
    /// the committed offset and below the partition's end (asked of the broker: an offset
    /// not yet written cannot have been completed, and skipping it would lose a record
    /// published later). Foreign or malformed metadata is ignored and logged; a partition
    /// whose end cannot be learnt keeps no marks (its records are only redone).
    func completedMarks(_ offsets: [KafkaPartitionOffset]) async -> [KafkaTopicPartition: [ClosedRange<Int64>]] {
        var marks: [KafkaTopicPartition: [ClosedRange<Int64>]] = [:]
        for o in offsets {
            switch CommitMetadata.parse(o.metadata, committed: o.offset) {
            case .none, .stale:
                continue
            case .foreign:
                logger.warning(
                    "ignoring foreign commit metadata on \(o.topicPartition): not written by cardgenius; its records are processed from the committed offset",
                    metadata: ["bytes": "\(o.metadata?.utf8.count ?? 0)"])
            case .completed(let ranges):
                guard !ranges.isEmpty else { continue }
                guard let end = try? await producer.watermarks(o.topicPartition, timeout: .seconds(5)).high else {
                    logger.warning("the end of \(o.topicPartition) is unknown: its completed-offset marks are dropped (those records are redone)")
                    continue
                }
                marks[o.topicPartition] = CommitMetadata.parse(o.metadata, committed: o.offset, end: end).ranges
            }
        }
        return marks
    }
}

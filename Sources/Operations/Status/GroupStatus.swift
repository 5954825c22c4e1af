import Kafka

/// A group's position on a topic: per partition, the committed offset, the end and the lag.
package struct GroupStatus: Sendable, Hashable {
    /// One partition's line.
    package struct Partition: Sendable, Hashable {
        package var topicPartition: KafkaTopicPartition
        /// The committed offset; nil when the group committed nothing here.
        package var committed: Int64?
        package var low: Int64
        /// The end offset (high watermark).
        package var high: Int64
        /// Offsets above the committed one that the commit metadata records as done.
        package var completedAboveCommit: Int
        /// Whether the committed metadata was not written by cardgenius (another tool's, or
        /// malformed): ignored by the members, shown as "foreign metadata".
        package var foreignMetadata: Bool = false

        /// Records not yet processed: end − committed, or end − low when nothing was committed.
        package var lag: Int64 { max(0, high - (committed.map { max($0, low) } ?? low)) }
    }

    package var topic: String
    package var groupID: String
    package var partitions: [Partition]

    /// Builds the status from watermarks and committed offsets (with metadata).
    package init(topic: String, groupID: String, ranges: [PartitionRange], committed: [KafkaTopicPartition: KafkaPartitionOffset]) {
        self.topic = topic
        self.groupID = groupID
        self.partitions = ranges.sorted { $0.topicPartition < $1.topicPartition }.map { range in
            let c = committed[range.topicPartition].flatMap { $0.offset >= 0 ? $0 : nil }
            return Partition(
                topicPartition: range.topicPartition, committed: c?.offset, low: range.low, high: range.high,
                completedAboveCommit: c.map {
                    CommitMetadataSummary.completedAbove($0.metadata, committed: $0.offset, end: range.high)
                } ?? 0,
                foreignMetadata: c.map { CommitMetadataSummary.isForeign($0.metadata) } ?? false)
        }
    }

    package var totalLag: Int64 { partitions.map(\.lag).reduce(0, +) }
    package var totalCompletedAboveCommit: Int { partitions.map(\.completedAboveCommit).reduce(0, +) }
    package var totalEnd: Int64 { partitions.map(\.high).reduce(0, +) }
    /// Whether the group has committed anything on the topic.
    package var hasCommits: Bool { partitions.contains { $0.committed != nil } }
}

import Kafka

/// A group's position on a topic: per partition, the committed offset, the end and the lag.
public struct GroupStatus: Sendable, Hashable {
    /// One partition's line.
    public struct Partition: Sendable, Hashable {
        public var topicPartition: KafkaTopicPartition
        /// The committed offset; nil when the group committed nothing here.
        public var committed: Int64?
        public var low: Int64
        /// The end offset (high watermark).
        public var high: Int64
        /// Offsets above the committed one that the commit metadata records as done.
        public var completedAboveCommit: Int
        /// Whether the committed metadata was not written by cardgenius (another tool's, or
        /// malformed): ignored by the members, shown as "foreign metadata".
        public var foreignMetadata: Bool = false

        /// Records not yet processed: end − committed, or end − low when nothing was committed.
        public var lag: Int64 { max(0, high - (committed.map { max($0, low) } ?? low)) }
    }

    public var topic: String
    public var groupID: String
    public var partitions: [Partition]

    /// Builds the status from watermarks and committed offsets (with metadata).
    public init(topic: String, groupID: String, ranges: [PartitionRange], committed: [KafkaTopicPartition: KafkaPartitionOffset]) {
        self.topic = topic
        self.groupID = groupID
        self.partitions = ranges.sorted { $0.topicPartition < $1.topicPartition }.map { range in
            let c = committed[range.topicPartition].flatMap { $0.offset >= 0 ? $0 : nil }
            return Partition(topicPartition: range.topicPartition, committed: c?.offset, low: range.low, high: range.high,
                             completedAboveCommit: c.map {
                                 CommitMetadataSummary.completedAbove($0.metadata, committed: $0.offset, end: range.high)
                             } ?? 0,
                             foreignMetadata: c.map { CommitMetadataSummary.isForeign($0.metadata) } ?? false)
        }
    }

    public var totalLag: Int64 { partitions.map(\.lag).reduce(0, +) }
    public var totalCompletedAboveCommit: Int { partitions.map(\.completedAboveCommit).reduce(0, +) }
    public var totalEnd: Int64 { partitions.map(\.high).reduce(0, +) }
    /// Whether the group has committed anything on the topic.
    public var hasCommits: Bool { partitions.contains { $0.committed != nil } }
}

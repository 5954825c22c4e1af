/// A partition of a topic.
public struct KafkaTopicPartition: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The topic's name.
    public var topic: String
    /// The partition number, from 0.
    public var partition: Int32

    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public var description: String { "\(topic)[\(partition)]" }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.topic, lhs.partition) < (rhs.topic, rhs.partition)
    }
}

/// An offset of a partition, as committed or to be committed, with its commit metadata.
public struct KafkaPartitionOffset: Hashable, Sendable, CustomStringConvertible {
    /// The partition.
    public var topicPartition: KafkaTopicPartition
    /// The offset: for a commit, the offset of the next record to read. Negative values
    /// are librdkafka's logical offsets (see ``KafkaOffset``).
    public var offset: Int64
    /// Commit metadata stored by the broker with the offset (at most 4 KB on default Kafka).
    public var metadata: String?

    public init(topicPartition: KafkaTopicPartition, offset: Int64, metadata: String? = nil) {
        self.topicPartition = topicPartition
        self.offset = offset
        self.metadata = metadata
    }

    public init(topic: String, partition: Int32, offset: Int64, metadata: String? = nil) {
        self.init(topicPartition: KafkaTopicPartition(topic: topic, partition: partition), offset: offset, metadata: metadata)
    }

    public var description: String {
        "\(topicPartition)@\(KafkaOffset.describe(offset))" + (metadata.map { " meta=\($0.count)B" } ?? "")
    }
}

/// librdkafka's logical offsets.
public enum KafkaOffset {
    /// The oldest record still in the partition.
    public static let beginning: Int64 = -2
    /// The next record to be written.
    public static let end: Int64 = -1
    /// The committed offset (or `auto.offset.reset` when there is none).
    public static let stored: Int64 = -1000
    /// No offset: nothing was committed.
    public static let invalid: Int64 = -1001

    /// A readable form of an offset, naming the logical ones.
    public static func describe(_ offset: Int64) -> String {
        switch offset {
        case beginning: return "beginning"
        case end: return "end"
        case stored: return "stored"
        case invalid: return "none"
        default: return String(offset)
        }
    }
}

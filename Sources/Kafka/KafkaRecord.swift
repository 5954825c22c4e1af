/// A record read from a partition: its position, key, value, headers and timestamp.
///
/// The bytes are copied out of librdkafka's buffers, so a record lives independently
/// of the consumer that read it.
public struct KafkaRecord: Sendable, Hashable {
    /// Where the record came from.
    public var topicPartition: KafkaTopicPartition
    /// The record's offset in its partition.
    public var offset: Int64
    /// The record key, if any.
    public var key: [UInt8]?
    /// The record value, if any.
    public var value: [UInt8]?
    /// The record headers, in order.
    public var headers: [KafkaHeader]
    /// Milliseconds since the epoch (create or log-append time), if known.
    public var timestampMs: Int64?

    public init(
        topicPartition: KafkaTopicPartition, offset: Int64, key: [UInt8]?, value: [UInt8]?,
        headers: [KafkaHeader] = [], timestampMs: Int64? = nil
    ) {
        self.topicPartition = topicPartition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.timestampMs = timestampMs
    }

    /// The topic the record came from.
    public var topic: String { topicPartition.topic }
    /// The partition the record came from.
    public var partition: Int32 { topicPartition.partition }
    /// The key decoded as UTF-8.
    public var keyString: String? { key.map { String(decoding: $0, as: UTF8.self) } }
}

/// A record to publish.
public struct KafkaProducerRecord: Sendable, Hashable {
    /// The topic to publish to.
    public var topic: String
    /// An explicit partition, or `nil` to let the partitioner choose from the key.
    public var partition: Int32?
    /// The record key.
    public var key: [UInt8]?
    /// The record value.
    public var value: [UInt8]?
    /// The record headers.
    public var headers: [KafkaHeader]

    public init(topic: String, partition: Int32? = nil, key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader] = []) {
        self.topic = topic
        self.partition = partition
        self.key = key
        self.value = value
        self.headers = headers
    }

    /// A record with a string key.
    public init(topic: String, key: String, value: [UInt8], headers: [KafkaHeader] = []) {
        self.init(topic: topic, key: Array(key.utf8), value: value, headers: headers)
    }
}

/// The broker's acknowledgement of a published record.
public struct KafkaDeliveryReport: Sendable, Hashable {
    /// Where the record was written.
    public var topicPartition: KafkaTopicPartition
    /// The offset it was written at.
    public var offset: Int64
}

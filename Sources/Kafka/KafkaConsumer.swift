import CRDKafka
import Logging

/// One member of a consumer group.
///
/// A dedicated poll thread drains librdkafka's consumer queue (records, rebalances,
/// logs, errors) and publishes ``KafkaConsumerEvent``s on ``events``. Rebalances are
/// handled on that thread, in order with the records, and a revocation waits for the
/// application's acknowledgement before the partitions are given up.
///
/// Offsets are committed only explicitly, with ``commit(_:)``.
public final class KafkaConsumer: Sendable {
    /// Records, rebalances and errors, in the order librdkafka delivered them. The stream
    /// finishes once ``close()`` has left the group.
    public let events: AsyncStream<KafkaConsumerEvent>

    let client: RDKafkaClient
    private let control: LockedValue<Control>
    private let pollThread: RDKafkaPollThread
    private let logger: Logger
    /// The group this member belongs to.
    public let groupID: String

    struct Control {
        var closeRequested = false
        var closed = false
        var streamTerminated = false
    }

    /// Creates a member. It joins the group on ``subscribe(topics:)``.
    public init(configuration: KafkaConsumerConfiguration, logger: Logger) throws {
        var mask = RD_KAFKA_EVENT_FETCH | RD_KAFKA_EVENT_REBALANCE | RD_KAFKA_EVENT_OFFSET_COMMIT
        if configuration.statisticsInterval != nil { mask |= RD_KAFKA_EVENT_STATS }
        let client = try RDKafkaClient.make(.consumer, properties: configuration.rdKafkaProperties(),
                                            events: mask, logger: logger)
        let control = LockedValue(Control())
        let (stream, continuation) = AsyncStream<KafkaConsumerEvent>.makeStream()
        continuation.onTermination = { _ in control.withLock { $0.streamTerminated = true } }
        let loop = RDKafkaConsumerLoop(client: client, control: control, continuation: continuation,
                                       revocationTimeout: configuration.revocationTimeout)
        self.client = client
        self.control = control
        self.events = stream
        self.logger = logger
        self.groupID = configuration.groupID
        self.pollThread = RDKafkaPollThread(name: "kafka-consumer-poll") { loop.pollOnce() }
    }

    deinit {
        control.withLock { $0.closeRequested = true }
    }

    /// Subscribes to `topics`, joining the group.
    public func subscribe(topics: [String]) throws {
        let list = RDKafkaTopicPartitionList(topics.map { KafkaTopicPartition(topic: $0, partition: RD_KAFKA_PARTITION_UA) })
        let err = rd_kafka_subscribe(client.handle, list.pointer)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError.from(err, "subscribe to \(topics)") }
    }

    /// The partitions currently assigned to this member.
    public func assignment() throws -> [KafkaTopicPartition] {
        var raw: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        let err = rd_kafka_assignment(client.handle, &raw)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError.from(err, "assignment") }
        guard let raw else { return [] }
        return RDKafkaTopicPartitionList(owning: raw).partitions
    }

    /// This member's id in the group, once it has joined.
    public var memberID: String? {
        guard let raw = rd_kafka_memberid(client.handle) else { return nil }
        defer { rd_kafka_mem_free(client.handle, raw) }
        let id = String(cString: raw)
        return id.isEmpty ? nil : id
    }

    /// Stops fetching from `partitions` (records already delivered stay delivered).
    /// Fetching resumes after the last delivered record on ``resume(_:)``.
    public func pause(_ partitions: [KafkaTopicPartition]) throws {
        guard !partitions.isEmpty else { return }
        let list = RDKafkaTopicPartitionList(partitions)
        let err = rd_kafka_pause_partitions(client.handle, list.pointer)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError.from(err, "pause") }
        try list.throwFirstError("pause")
    }

    /// Resumes fetching from `partitions`.
    public func resume(_ partitions: [KafkaTopicPartition]) throws {
        guard !partitions.isEmpty else { return }
        let list = RDKafkaTopicPartitionList(partitions)
        let err = rd_kafka_resume_partitions(client.handle, list.pointer)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError.from(err, "resume") }
        try list.throwFirstError("resume")
    }

    /// Commits explicit offsets (each the offset of the next record to read) with their
    /// metadata, and waits for the broker's answer.
    public func commit(_ offsets: [KafkaPartitionOffset]) async throws {
        guard !offsets.isEmpty else { return }
        try await client.runBlocking { rk in
            let list = RDKafkaTopicPartitionList(offsets)
            let err = rd_kafka_commit(rk, list.pointer, 0)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError.from(err, "commit") }
            try list.throwFirstError("commit")
        }
    }

    /// Commits explicit offsets without waiting; a failure is logged by the poll thread.
    public func commitAsync(_ offsets: [KafkaPartitionOffset]) throws {
        guard !offsets.isEmpty else { return }
        let list = RDKafkaTopicPartitionList(offsets)
        let err = rd_kafka_commit(client.handle, list.pointer, 1)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError.from(err, "commit") }
    }

    /// The group's committed offsets (and metadata) for `partitions`.
    public func committed(_ partitions: [KafkaTopicPartition], timeout: Duration = .seconds(10)) async throws -> [KafkaPartitionOffset] {
        let ms = Int32(clamping: timeout.milliseconds)
        return try await client.runBlocking { rk in
            let list = RDKafkaTopicPartitionList(partitions)
            let err = rd_kafka_committed(rk, list.pointer, ms)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError.from(err, "committed") }
            try list.throwFirstError("committed")
            return list.elements().map(\.offset)
        }
    }

    /// The low and high watermarks of a partition, asked of its leader.
    public func watermarks(_ partition: KafkaTopicPartition, timeout: Duration = .seconds(10)) async throws -> (low: Int64, high: Int64) {
        try await client.watermarks(partition, timeout: timeout)
    }

    /// Moves the fetch position of assigned partitions.
    public func seek(_ offsets: [KafkaPartitionOffset], timeout: Duration = .seconds(10)) async throws {
        let ms = Int32(clamping: timeout.milliseconds)
        try await client.runBlocking { rk in
            let list = RDKafkaTopicPartitionList(offsets)
            if let error = rd_kafka_seek_partitions(rk, list.pointer, ms) {
                throw KafkaError.consume(error, "seek")
            }
            try list.throwFirstError("seek")
        }
    }

    /// The number of partitions of `topic`, from the cluster's metadata.
    public func partitionCount(topic: String, timeout: Duration = .seconds(10)) async throws -> Int {
        try await client.partitionCount(topic: topic, timeout: timeout)
    }

    /// Leaves the group: revocations are still delivered on ``events`` (and must be
    /// acknowledged), then the stream finishes and the handle is freed.
    /// Commit what you need before calling this.
    public func close() async {
        control.withLock { $0.closeRequested = true }
        await pollThread.join()
    }
}

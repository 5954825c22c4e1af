import Dispatch
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
    /// finishes once ``close()`` has left the group. Bounded: while the application has
    /// not taken a few batches of records, the poll thread waits (see ``KafkaConsumerEvents``).
    public let events: KafkaConsumerEvents

    let client: RDKafkaClient
    /// The poll-thread body; it owns the ``Control`` state shared with this member.
    private let loop: RDKafkaConsumerLoop
    /// Pauses and resumes, in the order they were asked for.
    private let flowQueue = DispatchQueue(label: "cardgenius.kafka.consumer.partition-control")
    private let pollThread: RDKafkaPollThread
    private let logger: Logger
    /// The group this member belongs to.
    public let groupID: String

    struct Control {
        var closeRequested = false
        var closed = false
        var streamTerminated = false
        /// A fetch restart the poll thread carries out at its next turn.
        var fetchRestart: FetchRestart?
    }

    /// What ``restartFetch(_:positions:)`` asked for.
    struct FetchRestart {
        var partitions: [KafkaPartitionOffset]
        var positions: [KafkaPartitionOffset]
    }

    /// Restarts fetching `partitions` (each at its offset, the next one the application
    /// wants; ``KafkaOffset/invalid`` for the committed offset), which librdkafka should be
    /// fetching and is not. `positions` are the application's positions in every partition
    /// it owns, used when the whole assignment must be given again (see the poll thread's
    /// `restartFetch`). Carried out on the poll thread, between two events; a later request
    /// replaces one not yet carried out. Partitions no longer assigned by then are left alone.
    public func restartFetch(_ partitions: [KafkaPartitionOffset], positions: [KafkaPartitionOffset]) {
        guard !partitions.isEmpty else { return }
        loop.control.withLock { $0.fetchRestart = FetchRestart(partitions: partitions, positions: positions) }
    }

    /// Creates a member. It joins the group on ``subscribe(topics:)``.
    public init(configuration: KafkaConsumerConfiguration, logger: Logger) throws {
        if configuration.groupProtocol == .consumer, !KafkaLibrary.supportsConsumerGroupProtocol {
            // librdkafka 2.4 to 2.11 know the property but not as GA; older ones not at all.
            throw KafkaError(
                code: .configuration,
                message:
                    "group.protocol=consumer (KIP-848) needs librdkafka >= \(KafkaLibrary.describe(version: KafkaLibrary.consumerGroupProtocolVersion)); this process loaded librdkafka \(KafkaLibrary.versionString)"
            )
        }
        var events: RDKafkaClient.Events = [.fetch, .rebalance, .offsetCommit]
        if configuration.statisticsInterval != nil { events.insert(.statistics) }
        let client = try RDKafkaClient.make(
            .consumer, properties: configuration.rdKafkaProperties(),
            events: events, logger: logger)
        let (stream, continuation) = AsyncStream<KafkaConsumerEvent>.makeStream()
        let credits = RDKafkaRecordCredits(capacity: Self.recordBatchesAhead)
        let loop = RDKafkaConsumerLoop(
            client: client, continuation: continuation, credits: credits,
            revocationTimeout: configuration.revocationTimeout)
        continuation.onTermination = { [weak loop] _ in loop?.control.withLock { $0.streamTerminated = true } }
        self.client = client
        self.loop = loop
        self.events = KafkaConsumerEvents(stream: stream, credits: credits)
        self.logger = logger
        self.groupID = configuration.groupID
        self.pollThread = RDKafkaPollThread(name: "kafka-consumer-poll") { loop.pollOnce() }
    }

    deinit {
        loop.control.withLock { $0.closeRequested = true }
    }

    /// The record batches (of up to 512 records) the poll thread may hand over before the
    /// application has taken them; then it waits.
    static let recordBatchesAhead = 4

    /// Record batches handed over on ``events`` and not yet taken (tests).
    var recordBatchesWaiting: Int { events.credits.outstanding }

    /// Records the poll thread has handed over on ``events`` so far (tests).
    var recordsHandedOver: Int { loop.recordsHandedOver.load(ordering: .relaxed) }

    /// True once ``close()`` was called: commits are refused from then on.
    public var isClosing: Bool { loop.control.withLock { $0.closeRequested } }

    /// Subscribes to `topics`, joining the group. (librdkafka's call blocks: it runs on the
    /// consumer's blocking queue.)
    public func subscribe(topics: [String]) async throws {
        try await client.subscribe(topics: topics)
    }

    /// Raises a fatal error as librdkafka would, for example when a static member is fenced
    /// (tests only).
    func injectFatalError(reason: String) {
        client.injectFatalError(.fencedInstanceID, reason: reason)
    }

    /// The partitions currently assigned to this member.
    public func assignment() throws -> [KafkaTopicPartition] {
        try client.assignment()
    }

    /// This member's id in the group, once it has joined.
    public var memberID: String? {
        client.memberID
    }

    /// Stops fetching from `partitions` (records already delivered stay delivered).
    /// Fetching resumes after the last delivered record on ``resume(_:)``.
    public func pause(_ partitions: [KafkaTopicPartition]) async throws {
        guard !partitions.isEmpty else { return }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            controlPartitions { control in continuation.resume(with: Result { try control.pause(partitions) }) }
        }
    }

    /// Resumes fetching from `partitions`.
    public func resume(_ partitions: [KafkaTopicPartition]) async throws {
        guard !partitions.isEmpty else { return }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            controlPartitions { control in continuation.resume(with: Result { try control.resume(partitions) }) }
        }
    }

    /// Runs `body` on the consumer's serial partition-control queue, off the cooperative
    /// pool, in submission order. `body` may pause and resume partitions through the
    /// ``KafkaPartitionControl`` it is given (librdkafka's calls block until every
    /// partition's fetcher has taken the change).
    public func controlPartitions(_ body: @escaping @Sendable (KafkaPartitionControl) -> Void) {
        let control = KafkaPartitionControl(client: client)
        flowQueue.async { body(control) }
    }

    /// Commits explicit offsets (each the offset of the next record to read) with their
    /// metadata, and waits for the broker's answer.
    ///
    /// - Throws: ``KafkaError`` if any partition's commit failed; the message names the
    ///   partitions that were committed and those that were not. Use ``commitEach(_:timeout:)``
    ///   to act on partial results.
    public func commit(_ offsets: [KafkaPartitionOffset]) async throws {
        let result = try await commitEach(offsets)
        guard let first = result.failed.first else { return }
        var error = first.error
        let failed = result.failed.map { "\($0.offset.topicPartition) (\($0.error.code))" }.joined(separator: ", ")
        let applied = result.committed.map { "\($0.topicPartition)" }.joined(separator: ", ")
        error.message = "commit failed for \(failed)" + (applied.isEmpty ? "" : "; committed \(applied)") + ": \(first.error.message)"
        throw error
    }

    /// Commits explicit offsets and returns each partition's outcome: librdkafka answers a
    /// commit with one error for the call and one per partition, and a commit can fail for
    /// some partitions only.
    ///
    /// - Throws: ``KafkaError`` only when the request failed as a whole (no partition's
    ///   outcome is known, for example while the coordinator is unreachable), or with code
    ///   `closed` once ``close()`` was called.
    ///
    /// `timeout` counts from the call, including the wait for the consumer's blocking queue
    /// (another commit or metadata request may hold it): a commit that finds less than
    /// 100 ms left fails with ``KafkaError/Code/timedOut`` without being sent.
    public func commitEach(_ offsets: [KafkaPartitionOffset], timeout: Duration = .seconds(60)) async throws -> KafkaCommitResult {
        guard !offsets.isEmpty else { return KafkaCommitResult(committed: [], failed: []) }
        let deadline = ContinuousClock.now + timeout
        // librdkafka 2.0.2 answers neither the OFFSET_COMMIT event nor (at times) the
        // synchronous call of a commit made once the consumer closes: refuse it rather than hang.
        if isClosing {
            throw KafkaError(code: .closed, message: "commit after close(): commit before closing the consumer")
        }
        return try await client.commitEach(offsets, deadline: deadline, timeout: timeout)
    }

    /// Commits explicit offsets without waiting; a failure is logged by the poll thread.
    public func commitAsync(_ offsets: [KafkaPartitionOffset]) throws {
        guard !offsets.isEmpty else { return }
        try client.commitAsync(offsets)
    }

    /// The group's committed offsets (and metadata) for `partitions`.
    public func committed(_ partitions: [KafkaTopicPartition], timeout: Duration = .seconds(10)) async throws -> [KafkaPartitionOffset] {
        try await client.committed(partitions, timeout: timeout)
    }

    /// The low and high watermarks of a partition, asked of its leader.
    public func watermarks(_ partition: KafkaTopicPartition, timeout: Duration = .seconds(10)) async throws -> (low: Int64, high: Int64) {
        try await client.watermarks(partition, timeout: timeout)
    }

    /// Moves the fetch position of assigned partitions.
    public func seek(_ offsets: [KafkaPartitionOffset], timeout: Duration = .seconds(10)) async throws {
        try await client.seek(offsets, timeout: timeout)
    }

    /// The number of partitions of `topic`, from the cluster's metadata.
    public func partitionCount(topic: String, timeout: Duration = .seconds(10)) async throws -> Int {
        try await client.partitionCount(topic: topic, timeout: timeout)
    }

    /// Leaves the group: revocations are still delivered on ``events`` (and must be
    /// acknowledged), then the stream finishes and the handle is freed.
    /// Commit what you need before calling this.
    public func close() async {
        loop.control.withLock { $0.closeRequested = true }
        await pollThread.join()
    }

    /// Leaves the group as ``close()`` does, but waits at most `timeout` (librdkafka's
    /// close waits for the coordinator, which may not answer). Returns false if the
    /// consumer had not closed by then; its poll thread goes on closing it.
    public func close(timeout: Duration) async -> Bool {
        loop.control.withLock { $0.closeRequested = true }
        return await pollThread.join(timeout: timeout)
    }
}

internal import CRDKafka
import Foundation
import Logging
import Synchronization

/// The consumer's poll-thread body: drains the consumer queue, batches records, runs
/// rebalances in order with the records, and carries out `close`.
///
/// Only the poll thread calls ``pollOnce()``; its mutable state is confined to that thread.
final class RDKafkaConsumerLoop: @unchecked Sendable {
    private let client: RDKafkaClient
    /// What the member asked for and what the loop did, shared with ``KafkaConsumer``.
    let control = Mutex(KafkaConsumer.Control())
    private let continuation: AsyncStream<KafkaConsumerEvent>.Continuation
    /// Bounds the record batches handed over and not yet taken.
    private let credits: RDKafkaRecordCredits
    private let revocationTimeout: Duration
    private var batch: [KafkaRecord] = []
    /// Records handed to the event stream so far (tests read it).
    let recordsHandedOver = Atomic<Int>(0)
    private var closing = false
    private static let maxBatch = 512

    init(
        client: RDKafkaClient, continuation: AsyncStream<KafkaConsumerEvent>.Continuation,
        credits: RDKafkaRecordCredits, revocationTimeout: Duration
    ) {
        self.client = client
        self.continuation = continuation
        self.credits = credits
        self.revocationTimeout = revocationTimeout
    }

    private var logger: Logger { client.logger }

    /// One turn; returns false when the consumer has closed.
    func pollOnce() -> Bool {
        if !closing,
            let restart = control.withLock({ c -> KafkaConsumer.FetchRestart? in
                defer { c.fetchRestart = nil }
                return c.fetchRestart
            })
        {
            restartFetch(restart)
        }
        if !closing, control.withLock({ $0.closeRequested }) {
            closing = true
            flush()
            if let error = rd_kafka_consumer_close_queue(client.handle, client.queue) {
                logger.error("closing the consumer: \(RDKafkaError.consume(error, "close"))")
                client.skipConsumerClose.withLock { $0 = true }
                return finish()
            }
        }
        if closing, rd_kafka_consumer_closed(client.handle) != 0 {
            return finish()
        }
        guard let event = rd_kafka_queue_poll(client.queue, batch.isEmpty ? 100 : 0) else {
            flush()
            return true
        }
        defer { rd_kafka_event_destroy(event) }
        switch rd_kafka_event_type(event) {
        case RD_KAFKA_EVENT_FETCH:
            while let message = rd_kafka_event_message_next(event) { take(UnsafeMutablePointer(mutating: message)) }
            if batch.count >= Self.maxBatch { flush() }
        case RD_KAFKA_EVENT_REBALANCE:
            flush()
            rebalance(event)
        case RD_KAFKA_EVENT_OFFSET_COMMIT:
            let err = rd_kafka_event_error(event)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR__NO_OFFSET {
                logger.warning("asynchronous commit failed: \(RDKafkaError.from(err, "commit"))")
            }
        case RD_KAFKA_EVENT_STATS:
            flush()
            if let json = rd_kafka_event_stats(event) { continuation.yield(.statistics(String(cString: json))) }
        case RD_KAFKA_EVENT_ERROR where rd_kafka_event_error(event) == RD_KAFKA_RESP_ERR__PARTITION_EOF:
            // The event API reports the end of a partition as a partition-level error.
            flush()
            if let tp = rd_kafka_event_topic_partition(event) {
                let position = KafkaPartitionOffset(
                    topic: String(cString: tp.pointee.topic),
                    partition: tp.pointee.partition, offset: tp.pointee.offset)
                rd_kafka_topic_partition_destroy(tp)
                continuation.yield(.endOfPartition(position))
            }
        default:
            if let error = client.handleCommonEvent(event) {
                flush()
                continuation.yield(.error(error))
            }
        }
        return true
    }

    private func finish() -> Bool {
        flush()
        continuation.finish()
        control.withLock { $0.closed = true }
        return false
    }

    private func flush() {
        guard !batch.isEmpty else { return }
        // Back-pressure: wait (this is the poll thread) while the application has not taken
        // the batches handed over before; never while closing or once nobody listens.
        credits.acquire { control.withLock { $0.closeRequested || $0.streamTerminated } }
        recordsHandedOver.add(batch.count, ordering: .relaxed)
        continuation.yield(.records(batch))
        batch.removeAll(keepingCapacity: true)
    }

    private func take(_ message: UnsafeMutablePointer<rd_kafka_message_t>) {
        let m = message.pointee
        let topic = m.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
        let tp = KafkaTopicPartition(topic: topic, partition: m.partition)
        switch m.err {
        case RD_KAFKA_RESP_ERR_NO_ERROR:
            batch.append(Self.copy(message, tp))
        case RD_KAFKA_RESP_ERR__PARTITION_EOF:
            flush()
            continuation.yield(.endOfPartition(KafkaPartitionOffset(topicPartition: tp, offset: m.offset)))
        default:
            flush()
            var error = RDKafkaError.from(m.err, "consume \(tp)")
            if let payload = m.payload, m.len > 0 {
                error.message += ": " + String(decoding: UnsafeRawBufferPointer(start: payload, count: m.len), as: UTF8.self)
            }
            logger.warning("\(error)")
            continuation.yield(.error(error))
        }
    }

    private static func copy(_ message: UnsafeMutablePointer<rd_kafka_message_t>, _ tp: KafkaTopicPartition) -> KafkaRecord {
        let m = message.pointee
        let key = m.key.map { Array(UnsafeRawBufferPointer(start: $0, count: m.key_len)) }
        let value = m.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: m.len)) }
        var headers: [KafkaHeader] = []
        var hdrs: OpaquePointer?
        if rd_kafka_message_headers(message, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR, let hdrs {
            var index = 0
            var name: UnsafePointer<CChar>?
            var value: UnsafeRawPointer?
            var size = 0
            while rd_kafka_header_get_all(hdrs, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
                headers.append(
                    KafkaHeader(
                        name: name.map { String(cString: $0) } ?? "",
                        value: value.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) }))
                index += 1
            }
        }
        var tstype = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let ts = rd_kafka_message_timestamp(message, &tstype)
        return KafkaRecord(
            topicPartition: tp, offset: m.offset, key: key, value: value, headers: headers,
            timestampMs: tstype == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? nil : ts)
    }

    // MARK: - Rebalance

    private func rebalance(_ event: OpaquePointer) {
        let rk = client.handle
        let cooperative = String(cString: rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE"
        guard let raw = rd_kafka_event_topic_partition_list(event) else { return }
        // The event owns `raw`; copy what we need.
        let partitions = RDKafkaTopicPartitionList(owning: rd_kafka_topic_partition_list_copy(raw)).partitions
        switch rd_kafka_event_error(event) {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            let committed: [KafkaPartitionOffset]
            switch committedOffsets(partitions) {
            case .success(let offsets):
                committed = offsets
            case .failure(var error):
                // Without them the member would redo what the previous owner completed: it
                // takes nothing and stops, as for a failed assign.
                error.isFatal = true
                error.message = "could not read the committed offsets of the assigned partitions within \(Self.committedReadTimeout): \(error.message)"
                logger.critical("\(error)")
                continuation.yield(.error(error))
                return
            }
            // librdkafka keeps the application's pause flag on a partition across
            // unassign/assign (it clears only its own), so a partition paused when it was
            // revoked would never be fetched again: those are resumed, *before* the assign.
            // Only those, and never after the assign: any pause or resume bumps the
            // partition's op version, and librdkafka 2.0.2 drops its own fetch-start op as
            // "outdated" when that happens between the assign and the fetch start — the
            // partition is then never fetched (seen about once in eight 100,000-record
            // drains when every assigned partition was resumed after the assign).
            // (Under the pause set's lock, so that no pause or resume of the partition-control
            // queue falls in between.)
            client.pausedByApplication.withLock { paused in
                let stillPaused = partitions.filter { paused.contains($0) }
                guard !stillPaused.isEmpty else { return }
                let list = RDKafkaTopicPartitionList(stillPaused)
                let resumed = withExtendedLifetime(list) { rd_kafka_resume_partitions(rk, list.pointer) }
                if resumed != RD_KAFKA_RESP_ERR_NO_ERROR {
                    logger.warning("\(RDKafkaError.from(resumed, "resume on assign"))")
                }
                paused.subtract(stillPaused)
            }
            let list = RDKafkaTopicPartitionList(partitions)
            var failure: KafkaError?
            if cooperative {
                if let error = rd_kafka_incremental_assign(rk, list.pointer) {
                    failure = RDKafkaError.consume(error, "incremental assign")
                }
            } else {
                let err = rd_kafka_assign(rk, list.pointer)
                if err != RD_KAFKA_RESP_ERR_NO_ERROR { failure = RDKafkaError.from(err, "assign") }
            }
            if var failure {
                // A member that cannot take its assignment must not carry on as if it had:
                // the application is told, as a fatal error, and nothing is reported assigned.
                failure.isFatal = true
                logger.critical("\(failure)")
                continuation.yield(.error(failure))
                return
            }
            logger.info("assigned \(partitions.count) partition(s)", metadata: ["partitions": "\(partitions.map(\.description))"])
            continuation.yield(.assigned(committed))
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            let lost = rd_kafka_assignment_lost(rk) != 0
            let revocation = KafkaRevocation(partitions: partitions, isLost: lost)
            logger.info("revoking \(partitions.count) partition(s)\(lost ? " (lost)" : "")")
            let unheard = control.withLock { $0.streamTerminated }
            if !unheard { continuation.yield(.revoked(revocation)) }
            // While closing, the application has already committed (see `close()`), so
            // there is nothing to wait for.
            if !unheard && !closing {
                if !revocation.wait(timeout: revocationTimeout) {
                    logger.warning("revocation not acknowledged within \(revocationTimeout); giving the partitions up")
                }
            }
            if cooperative {
                let list = RDKafkaTopicPartitionList(partitions)
                if let error = rd_kafka_incremental_unassign(rk, list.pointer) {
                    logger.error("\(RDKafkaError.consume(error, "incremental unassign"))")
                }
            } else {
                _ = rd_kafka_assign(rk, nil)
            }
        default:
            logger.error("rebalance error: \(RDKafkaError.from(rd_kafka_event_error(event), "rebalance"))")
            _ = rd_kafka_assign(rk, nil)
        }
    }

    /// Restarts the fetch of partitions librdkafka does not fetch, on the poll thread (so
    /// never in the middle of a rebalance this member is handling). A seek to the position
    /// restarts a partition whose fetcher has started; one whose fetch start librdkafka
    /// dropped (fetch state `none` or `stopped`: librdkafka 2.0.2 answers a seek with
    /// `_STATE` then) gets a fresh fetch start only from a new assignment: the cooperative
    /// protocol takes those partitions back and gives them again, the eager one assigns the
    /// whole current assignment again at the application's positions (the application's
    /// pause flags survive, as on any assignment).
    private func restartFetch(_ restart: KafkaConsumer.FetchRestart) {
        let rk = client.handle
        var raw: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        guard rd_kafka_assignment(rk, &raw) == RD_KAFKA_RESP_ERR_NO_ERROR, let raw else { return }
        let assigned = Set(RDKafkaTopicPartitionList(owning: raw).partitions)
        let stuck = restart.partitions.filter { assigned.contains($0.topicPartition) && $0.offset >= 0 }
        var notStarted = restart.partitions.filter { assigned.contains($0.topicPartition) && $0.offset < 0 }
        if !stuck.isEmpty {
            let list = RDKafkaTopicPartitionList(stuck)
            let error = withExtendedLifetime(list) { rd_kafka_seek_partitions(rk, list.pointer, 5_000) }
            if let error {
                logger.warning("\(RDKafkaError.consume(error, "seek"))")
                notStarted += stuck
            } else {
                for (offset, err) in list.elements() where err != RD_KAFKA_RESP_ERR_NO_ERROR {
                    logger.info("seek \(offset.topicPartition) to \(offset.offset): \(RDKafkaError.from(err, "seek"))")
                    notStarted.append(offset)
                }
            }
        }
        guard !notStarted.isEmpty else {
            logger.notice("fetch restarted by seeking", metadata: ["partitions": "\(stuck.map(\.description))"])
            return
        }
        if String(cString: rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE" {
            let taken = RDKafkaTopicPartitionList(notStarted.map(\.topicPartition))
            if let error = withExtendedLifetime(taken, { rd_kafka_incremental_unassign(rk, taken.pointer) }) {
                logger.warning("\(RDKafkaError.consume(error, "incremental unassign"))")
                return
            }
            let given = RDKafkaTopicPartitionList(notStarted)
            if let error = withExtendedLifetime(given, { rd_kafka_incremental_assign(rk, given.pointer) }) {
                logger.error("\(RDKafkaError.consume(error, "incremental assign"))")
                return
            }
        } else {
            let positions = Dictionary(restart.positions.map { ($0.topicPartition, $0.offset) }) { first, _ in first }
            let again = assigned.sorted().map {
                KafkaPartitionOffset(topicPartition: $0, offset: positions[$0] ?? KafkaOffset.invalid)
            }
            let list = RDKafkaTopicPartitionList(again)
            let err = withExtendedLifetime(list) { rd_kafka_assign(rk, list.pointer) }
            if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                logger.error("\(RDKafkaError.from(err, "assign again"))")
                return
            }
        }
        logger.notice("fetch restarted by a new assignment", metadata: ["partitions": "\(notStarted.map(\.description))"])
    }

    /// The committed offsets and metadata of newly assigned partitions (asked on the poll
    /// thread, before any of their records can be delivered).
    ///
    /// Any error, of the call or of one partition, is retried: taking it as "no committed
    /// offset" would drop the previous owner's completed-offset marks (their records would
    /// be redone, an older result published after a newer one). Returns the error when
    /// the offsets could still not be read after 30 s.
    private func committedOffsets(_ partitions: [KafkaTopicPartition]) -> Result<[KafkaPartitionOffset], KafkaError> {
        let deadline = ContinuousClock.now + Self.committedReadTimeout
        while true {
            let list = RDKafkaTopicPartitionList(partitions)
            let err = rd_kafka_committed(client.handle, list.pointer, 10_000)
            let error: KafkaError
            if err == RD_KAFKA_RESP_ERR_NO_ERROR {
                let elements = list.elements()
                guard let failed = elements.first(where: { $0.error != RD_KAFKA_RESP_ERR_NO_ERROR }) else {
                    return .success(elements.map(\.offset))
                }
                error = RDKafkaError.from(failed.error, "committed offset of \(failed.offset.topicPartition)")
            } else {
                error = RDKafkaError.from(err, "committed")
            }
            guard ContinuousClock.now < deadline, !control.withLock({ $0.closeRequested }) else { return .failure(error) }
            logger.warning("reading committed offsets failed, retrying: \(error)")
            Thread.sleep(forTimeInterval: 0.5)
        }
    }

    /// How long an assignment waits for its committed offsets before the member gives up.
    static let committedReadTimeout = Duration.seconds(30)
}

import Logging
import Synchronization

/// Publishes records and reports each one's delivery as the result of ``send(_:)``.
///
/// Delivery reports are drained from librdkafka's main queue by a dedicated poll thread
/// and matched to the waiting caller by a per-record id passed as librdkafka's message
/// opaque, so no caller ever reads librdkafka's thread-local last error.
public final class KafkaProducer: Sendable {
    let client: RDKafkaClient
    /// The delivery bookkeeping, shared with the poll thread (which starts before the producer exists).
    private let deliveries: Deliveries
    private let pollThread: RDKafkaPollThread
    private let logger: Logger

    struct State {
        var nextID: UInt = 1
        var pending: [UInt: DeliveryWaiter] = [:]
        var closing = false
        var stopped = false
        var fatalError: KafkaError?
    }

    /// Creates a producer and starts its poll thread.
    public init(configuration: KafkaProducerConfiguration, logger: Logger) throws {
        let client = try RDKafkaClient.make(
            .producer, properties: configuration.rdKafkaProperties(),
            events: .deliveryReports, logger: logger)
        let deliveries = Deliveries()
        self.client = client
        self.deliveries = deliveries
        self.logger = logger
        self.pollThread = RDKafkaPollThread(name: "kafka-producer-poll") {
            deliveries.pollOnce(client: client)
        }
    }

    /// Publishes a record and returns once the broker has acknowledged it.
    ///
    /// Waits (without blocking a thread) while librdkafka's local queue is full.
    /// Cancelling the calling task stops the wait with `CancellationError`: the record may
    /// still be delivered (see ``purgeQueued()``), its report is then ignored.
    /// - Throws: ``KafkaError`` if the record cannot be delivered.
    public func send(_ record: KafkaProducerRecord) async throws -> KafkaDeliveryReport {
        while true {
            let id = deliveries.state.withLock { state -> UInt in
                defer { state.nextID &+= 1 }
                return state.nextID
            }
            do {
                // Unchecked: a record's waiter is resumed exactly once, by whoever removes it
                // from `pending` under the lock (one allocation fewer per record).
                return try await withTaskCancellationHandler {
                    try await withUnsafeThrowingContinuation { continuation in
                        let refusal = deliveries.state.withLock { state -> (any Error)? in
                            guard !state.closing else { return KafkaError.closed("send") }
                            // Cancelled before this point: the handler found no waiter to end.
                            guard !Task.isCancelled else { return CancellationError() }
                            state.pending[id] = .single(continuation)
                            return nil
                        }
                        if let refusal {
                            continuation.resume(throwing: refusal)
                            return
                        }
                        if let error = client.produce(record, id: id) {
                            let waiting = deliveries.state.withLock { $0.pending.removeValue(forKey: id) }
                            waiting?.complete(.failure(error))
                        }
                    }
                } onCancel: {
                    deliveries.state.withLock { $0.pending.removeValue(forKey: id) }?.complete(.failure(CancellationError()))
                }
            } catch let error as KafkaError where error.code == .queueFull {
                try await Task.sleep(for: .milliseconds(5))
            }
        }
    }

    /// Publishes `records` in order (so records with the same key keep their order) and
    /// returns each one's outcome, in the same order, once every delivery report is back.
    ///
    /// Waits (without blocking a thread) while librdkafka's local queue is full.
    public func sendBatch(_ records: [KafkaProducerRecord]) async throws -> [Result<KafkaDeliveryReport, KafkaError>] {
        guard !records.isEmpty else { return [] }
        let collector = DeliveryBatch(count: records.count)
        var index = 0
        while index < records.count {
            let id: UInt? = deliveries.state.withLock { state in
                guard !state.closing else { return nil }
                let id = state.nextID
                state.nextID &+= 1
                state.pending[id] = .batch(collector, index)
                return id
            }
            guard let id else {
                for i in index..<records.count { collector.complete(i, .failure(KafkaError.closed("send"))) }
                break
            }
            if let error = client.produce(records[index], id: id) {
                _ = deliveries.state.withLock { $0.pending.removeValue(forKey: id) }
                if error.code == .queueFull {
                    try await Task.sleep(for: .milliseconds(5))
                    continue
                }
                collector.complete(index, .failure(error))
            }
            index += 1
        }
        return await collector.results()
    }

    /// The fatal error this producer raised, if any: from then on it delivers nothing, and
    /// its owner must stop (librdkafka's fatal error).
    public var fatalError: KafkaError? { deliveries.state.withLock { $0.fatalError } }

    /// Raises a fatal error as librdkafka would on a fatal idempotence failure (tests only).
    func injectFatalError(reason: String) {
        client.injectFatalError(.outOfOrderSequence, reason: reason)
    }

    /// How many records have been handed to librdkafka and await their delivery report.
    public var outstanding: Int { deliveries.state.withLock { $0.pending.count } }

    /// The low and high watermarks of a partition, asked of its leader over the producer's
    /// connections: no fetch long-poll holds the answer up, and no commit waits for it.
    public func watermarks(_ partition: KafkaTopicPartition, timeout: Duration = .seconds(10)) async throws -> (low: Int64, high: Int64) {
        try await client.watermarks(partition, timeout: timeout)
    }

    /// Drops the records still waiting in librdkafka's queues, not yet sent to a broker:
    /// their ``send(_:)`` fails with code `-152` (`_PURGE_QUEUE`, a retriable verdict). A
    /// member calls it once it has sealed its partitions for their final commit, so no
    /// result queued behind a slow or absent leader reaches Kafka after that commit (or
    /// after the partitions' next owner published newer results). Requests already in
    /// flight to a broker are left alone (librdkafka cannot take them back).
    public func purgeQueued() {
        // Non-blocking: the broker threads purge their queues on their own (the call never
        // waits for them, so it may run on the cooperative pool).
        if let error = client.purgeQueued() { logger.warning("\(error)") }
    }

    /// Waits until every record handed over so far is delivered or failed. (On a thread
    /// of its own: never behind another blocking call of this producer.)
    public func flush(timeout: Duration = .seconds(60)) async throws {
        try await client.flush(timeout: timeout)
    }

    /// Flushes, fails whatever is still undelivered, stops the poll thread and frees the handle.
    public func close(timeout: Duration = .seconds(30)) async {
        let alreadyClosing = deliveries.state.withLock { s -> Bool in
            defer { s.closing = true }
            return s.closing
        }
        if !alreadyClosing {
            do { try await flush(timeout: timeout) } catch {
                logger.warning("producer closed with undelivered records: \(error)")
            }
            deliveries.state.withLock { $0.stopped = true }
        }
        await pollThread.join()
    }

    deinit {
        deliveries.state.withLock {
            $0.closing = true
            $0.stopped = true
        }
    }
}

/// A ``KafkaProducer``'s delivery bookkeeping: the records awaiting their delivery report,
/// shared by reference between the producer and its poll thread.
private final class Deliveries: Sendable {
    let state = Mutex(KafkaProducer.State())

    /// One turn of the poll thread: drains events, resolves delivery reports.
    /// Returns false once the producer is stopped and nothing is pending.
    func pollOnce(client: RDKafkaClient) -> Bool {
        switch client.pollDeliveryReports(
            timeout: .milliseconds(100),
            { id, result in
                state.withLock { $0.pending.removeValue(forKey: id) }?.complete(result)
            })
        {
        case .handled:
            return true
        case .error(let error):
            if error.isFatal {
                state.withLock { s in if s.fatalError == nil { s.fatalError = error } }
                failAll(error)
            }
            return true
        case .idle:
            break
        }
        let (stopped, waiting) = state.withLock { ($0.stopped, $0.pending.count) }
        if stopped {
            if waiting > 0 { failAll(KafkaError.closed("delivery (producer closed before the broker answered)")) }
            return false
        }
        return true
    }

    private func failAll(_ error: KafkaError) {
        let waiting = state.withLock { s in
            defer { s.pending = [:] }
            return Array(s.pending.values)
        }
        waiting.forEach { $0.complete(.failure(error)) }
    }
}

/// Who waits for a record's delivery report.
enum DeliveryWaiter {
    case single(UnsafeContinuation<KafkaDeliveryReport, any Error>)
    case batch(DeliveryBatch, Int)

    func complete(_ result: Result<KafkaDeliveryReport, any Error>) {
        switch self {
        case .single(let continuation): continuation.resume(with: result)
        case .batch(let batch, let index):
            batch.complete(index, result.mapError { $0 as? KafkaError ?? KafkaError(code: .invalidArgument, message: "\($0)") })
        }
    }
}

/// Collects the delivery reports of a ``KafkaProducer/sendBatch(_:)`` call.
final class DeliveryBatch: Sendable {
    private struct State {
        var results: [Result<KafkaDeliveryReport, KafkaError>?]
        var remaining: Int
        var waiter: CheckedContinuation<[Result<KafkaDeliveryReport, KafkaError>], Never>?
    }
    private let state: Mutex<State>

    init(count: Int) {
        state = Mutex(State(results: Array(repeating: nil, count: count), remaining: count))
    }

    func complete(_ index: Int, _ result: Result<KafkaDeliveryReport, KafkaError>) {
        let done = state.withLock { s -> (CheckedContinuation<[Result<KafkaDeliveryReport, KafkaError>], Never>, [Result<KafkaDeliveryReport, KafkaError>])? in
            guard s.results[index] == nil else { return nil }
            s.results[index] = result
            s.remaining -= 1
            guard s.remaining == 0, let waiter = s.waiter else { return nil }
            s.waiter = nil
            return (waiter, s.results.map { $0! })
        }
        if let (waiter, results) = done { waiter.resume(returning: results) }
    }

    func results() async -> [Result<KafkaDeliveryReport, KafkaError>] {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { s -> [Result<KafkaDeliveryReport, KafkaError>]? in
                if s.remaining == 0 { return s.results.map { $0! } }
                s.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}

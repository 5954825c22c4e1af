internal import CRDKafka
import Dispatch
import Foundation
import Logging
import Synchronization

/// Owns one `rd_kafka_t` and the queue its events are drained from.
///
/// Blocking librdkafka calls run on ``runBlocking(_:)``'s dedicated dispatch queue, never
/// on Swift's cooperative pool. The handle is destroyed exactly once, in `deinit`, which
/// runs on the poll thread when it lets go of its reference.
final class RDKafkaClient: @unchecked Sendable {
    /// `rd_kafka_t *`.
    let handle: OpaquePointer
    /// The queue the poll thread drains: the main queue (producer) or the consumer queue.
    let queue: OpaquePointer
    let logger: Logger
    private let blockingQueue: DispatchQueue

    private init(handle: OpaquePointer, queue: OpaquePointer, logger: Logger, label: String) {
        self.handle = handle
        self.queue = queue
        self.logger = logger
        self.blockingQueue = DispatchQueue(label: "cardgenius.kafka.\(label).blocking")
    }

    enum Kind { case producer, consumer }

    /// The events a client wants delivered on its ``queue``, besides logs and errors,
    /// which every client gets.
    struct Events: OptionSet {
        let rawValue: Int32
        static let deliveryReports = Events(rawValue: RD_KAFKA_EVENT_DR)
        static let fetch = Events(rawValue: RD_KAFKA_EVENT_FETCH)
        static let rebalance = Events(rawValue: RD_KAFKA_EVENT_REBALANCE)
        static let offsetCommit = Events(rawValue: RD_KAFKA_EVENT_OFFSET_COMMIT)
        static let statistics = Events(rawValue: RD_KAFKA_EVENT_STATS)
    }

    /// Creates a client whose ``queue`` delivers `events`.
    static func make(_ kind: Kind, properties: [String: String], events: Events, logger: Logger) throws -> RDKafkaClient {
        let conf = try RDKafkaConfig.make(properties, events: events.rawValue | RD_KAFKA_EVENT_LOG | RD_KAFKA_EVENT_ERROR)
        var errstr = [CChar](repeating: 0, count: 512)
        let type = kind == .producer ? RD_KAFKA_PRODUCER : RD_KAFKA_CONSUMER
        guard let rk = rd_kafka_new(type, conf, &errstr, errstr.count) else {
            rd_kafka_conf_destroy(conf)
            let why = String(decoding: errstr.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw KafkaError(code: .configuration, message: "rd_kafka_new: \(why)")
        }
        // From here librdkafka owns `conf`.
        let queue: OpaquePointer
        switch kind {
        case .producer:
            queue = rd_kafka_queue_get_main(rk)
        case .consumer:
            // Everything (logs, errors, rebalances, records) arrives on the consumer queue.
            rd_kafka_poll_set_consumer(rk)
            queue = rd_kafka_queue_get_consumer(rk)
        }
        rd_kafka_set_log_queue(rk, nil)
        let name = String(cString: rd_kafka_name(rk))
        var logger = logger
        logger[metadataKey: "kafka.client"] = "\(name)"
        return RDKafkaClient(handle: rk, queue: queue, logger: logger, label: name)
    }

    /// Set when the consumer could not close cleanly (after a fatal error): destroying it
    /// must then not try to close it again, which would wait for ever.
    let skipConsumerClose = Mutex(false)

    /// The partitions the application has paused and not resumed (a consumer's only):
    /// librdkafka keeps that flag across unassign and assign, so these are resumed when
    /// they are assigned again.
    let pausedByApplication = Mutex(Set<KafkaTopicPartition>())

    deinit {
        rd_kafka_queue_destroy(queue)
        if skipConsumerClose.withLock({ $0 }) || rd_kafka_fatal_error(handle, nil, 0) != RD_KAFKA_RESP_ERR_NO_ERROR {
            rd_kafka_destroy_flags(handle, Int32(RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE))
        } else {
            rd_kafka_destroy(handle)
        }
    }

    /// Runs a blocking librdkafka call off the cooperative pool.
    func runBlocking<T: Sendable>(_ body: @escaping @Sendable (OpaquePointer) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            blockingQueue.async {
                continuation.resume(with: Result { try body(self.handle) })
            }
        }
    }

    /// Runs a blocking librdkafka call on a thread of its own (a concurrent dispatch queue),
    /// off the cooperative pool and not behind the client's other blocking calls, for calls
    /// whose own time-out librdkafka does not always keep (`rd_kafka_query_watermark_offsets`
    /// waits for the leader's answer up to `socket.timeout.ms` while the leader is down) or
    /// that must not wait for those (the last flush). Cancelling the caller ends its wait
    /// with `CancellationError`; the call runs to its end and its result is dropped.
    func runDetached<T: Sendable>(_ body: @escaping @Sendable (OpaquePointer) throws -> T) async throws -> T {
        let waiter = RDKafkaCallWaiter<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                guard waiter.register(continuation) else { return }
                DispatchQueue.global().async {
                    waiter.resume(with: Result { try body(self.handle) })
                }
            }
        } onCancel: {
            waiter.resume(with: .failure(CancellationError()))
        }
    }

    /// Handles the events every client sees: logs and errors. Returns false for other types.
    func handleCommonEvent(_ event: OpaquePointer) -> KafkaError? {
        switch rd_kafka_event_type(event) {
        case RD_KAFKA_EVENT_LOG:
            var fac: UnsafePointer<CChar>?
            var str: UnsafePointer<CChar>?
            var level: Int32 = 0
            if rd_kafka_event_log(event, &fac, &str, &level) == 0 {
                let message = str.map { String(cString: $0) } ?? ""
                let facility = fac.map { String(cString: $0) } ?? ""
                logger.log(level: Self.logLevel(syslog: level), "\(message)", metadata: ["kafka.facility": "\(facility)"])
            }
            return nil
        case RD_KAFKA_EVENT_ERROR:
            let err = rd_kafka_event_error(event)
            let text = rd_kafka_event_error_string(event).map { String(cString: $0) } ?? ""
            var error = RDKafkaError.from(err, "librdkafka")
            error.message = "librdkafka: \(text)"
            if rd_kafka_event_error_is_fatal(event) != 0 {
                error.isFatal = true
                logger.critical("fatal Kafka error: \(text)")
            } else {
                logger.warning("Kafka error: \(text)", metadata: ["kafka.error": "\(error.code)"])
            }
            return error
        default:
            return nil
        }
    }

    static func logLevel(syslog level: Int32) -> Logger.Level {
        switch level {
        case ...2: return .critical
        case 3: return .error
        case 4: return .warning
        case 5: return .notice
        case 6: return .info
        default: return .debug
        }
    }
}

/// The one waiter of a ``RDKafkaClient/runDetached(_:)`` call, resumed exactly once: by
/// the call's result or by the caller's cancellation, whichever comes first.
final class RDKafkaCallWaiter<T: Sendable>: Sendable {
    private let state = Mutex<(continuation: CheckedContinuation<T, any Error>?, cancelled: Bool)>((nil, false))

    /// Registers the waiter; returns false (and resumes it) if the caller was cancelled first.
    func register(_ continuation: CheckedContinuation<T, any Error>) -> Bool {
        let cancelled = state.withLock { s -> Bool in
            if s.cancelled || Task.isCancelled { return true }
            s.continuation = continuation
            return false
        }
        if cancelled { continuation.resume(throwing: CancellationError()) }
        return !cancelled
    }

    func resume(with result: Result<T, any Error>) {
        let waiting = state.withLock { s -> CheckedContinuation<T, any Error>? in
            if case .failure(let error) = result, error is CancellationError { s.cancelled = true }
            defer { s.continuation = nil }
            return s.continuation
        }
        waiting?.resume(with: result)
    }
}

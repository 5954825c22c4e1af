internal import CRDKafka
import Foundation
import Logging
import Synchronization

/// The C side of ``KafkaAdminClient``: a client handle plus the queue Admin results are
/// delivered on. Every librdkafka call runs on the client's blocking dispatch queue.
final class RDKafkaAdminHandle: @unchecked Sendable {
    private let client: Mutex<RDKafkaClient?>
    /// `rd_kafka_queue_t *` for Admin results (destroyed before the client handle).
    private let results: QueuePointer

    /// A queue pointer handed to the blocking queue and the release thread.
    private struct QueuePointer: @unchecked Sendable {
        let pointer: OpaquePointer
    }
    private let logger: Logger

    init(properties: [String: String], logger: Logger) throws {
        let client = try RDKafkaClient.make(.producer, properties: properties, events: [], logger: logger)
        self.results = QueuePointer(pointer: rd_kafka_queue_new(client.handle))
        self.client = Mutex(client)
        self.logger = logger
    }

    /// The cluster id from the brokers' metadata, or nil when none answered within `timeout`.
    func clusterID(timeout: Duration) async throws -> String? {
        guard let client = self.client.withLock({ $0 }) else { throw KafkaError.closed("cluster id") }
        let ms = Int32(clamping: max(1, timeout.milliseconds))
        return try await client.runBlocking { rk in
            guard let raw = rd_kafka_clusterid(rk, ms) else { return nil }
            defer { rd_kafka_mem_free(rk, raw) }
            return String(cString: raw)
        }
    }

    func describeConsumerGroup(_ group: String, timeout: Duration) async throws -> KafkaConsumerGroupDescription {
        guard let client = self.client.withLock({ $0 }) else { throw KafkaError.closed("describe consumer group") }
        let results = self.results
        let ms = Int32(clamping: max(1, timeout.milliseconds))
        return try await client.runBlocking { rk in
            guard let options = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS) else {
                throw KafkaError(code: .unsupported, message: "describe consumer group: no Admin options for DescribeConsumerGroups")
            }
            defer { rd_kafka_AdminOptions_destroy(options) }
            var errstr = [CChar](repeating: 0, count: 512)
            _ = rd_kafka_AdminOptions_set_request_timeout(options, ms, &errstr, errstr.count)
            group.withCString { name in
                var groups: [UnsafePointer<CChar>?] = [name]
                groups.withUnsafeMutableBufferPointer { buffer in
                    rd_kafka_DescribeConsumerGroups(rk, buffer.baseAddress, 1, options, results.pointer)
                }
            }
            // librdkafka enforces the request time-out itself; the extra second only guards
            // against a result that never comes.
            let deadline = ContinuousClock.now + timeout + .seconds(1)
            while true {
                client.drainCommonEvents()
                let left = deadline - ContinuousClock.now
                if left <= .zero {
                    throw KafkaError(
                        code: .timedOut, message: "describe consumer group \(group): no answer within \(timeout)",
                        isRetriable: true)
                }
                guard let event = rd_kafka_queue_poll(results.pointer, Int32(clamping: min(100, max(1, left.milliseconds)))) else {
                    continue
                }
                defer { rd_kafka_event_destroy(event) }
                return try Self.parse(event, group: group)
            }
        }
    }

    private static func parse(_ event: OpaquePointer, group: String) throws -> KafkaConsumerGroupDescription {
        let err = rd_kafka_event_error(event)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            var error = RDKafkaError.from(err, "describe consumer group \(group)")
            if let text = rd_kafka_event_error_string(event) { error.message = "describe consumer group \(group): \(String(cString: text))" }
            throw error
        }
        guard let result = rd_kafka_event_DescribeConsumerGroups_result(event) else {
            throw KafkaError(code: .invalidArgument, message: "describe consumer group \(group): unexpected event type \(rd_kafka_event_type(event))")
        }
        var count = 0
        guard let groups = rd_kafka_DescribeConsumerGroups_result_groups(result, &count), count > 0,
            let description = groups[0]
        else {
            throw KafkaError(code: .invalidArgument, message: "describe consumer group \(group): empty answer")
        }
        if let groupError = rd_kafka_ConsumerGroupDescription_error(description) {
            let code = rd_kafka_error_code(groupError)
            throw KafkaError(
                code: KafkaError.Code(rawValue: code.rawValue),
                message: "describe consumer group \(group): \(String(cString: rd_kafka_error_string(groupError)))",
                isRetriable: rd_kafka_error_is_retriable(groupError) != 0)
        }
        var members: [KafkaConsumerGroupDescription.Member] = []
        for i in 0..<rd_kafka_ConsumerGroupDescription_member_count(description) {
            guard let member = rd_kafka_ConsumerGroupDescription_member(description, i) else { continue }
            var assignment: [KafkaTopicPartition] = []
            if let a = rd_kafka_MemberDescription_assignment(member), let list = rd_kafka_MemberAssignment_partitions(a) {
                for j in 0..<Int(list.pointee.cnt) {
                    let e = list.pointee.elems[j]
                    assignment.append(KafkaTopicPartition(topic: String(cString: e.topic), partition: e.partition))
                }
            }
            members.append(
                .init(
                    memberID: string(rd_kafka_MemberDescription_consumer_id(member)),
                    clientID: string(rd_kafka_MemberDescription_client_id(member)),
                    host: string(rd_kafka_MemberDescription_host(member)),
                    groupInstanceID: rd_kafka_MemberDescription_group_instance_id(member).map { String(cString: $0) },
                    assignment: assignment.sorted()))
        }
        return KafkaConsumerGroupDescription(
            groupID: string(rd_kafka_ConsumerGroupDescription_group_id(description)),
            state: state(rd_kafka_ConsumerGroupDescription_state(description)),
            partitionAssignor: string(rd_kafka_ConsumerGroupDescription_partition_assignor(description)),
            members: members)
    }

    private static func string(_ pointer: UnsafePointer<CChar>?) -> String {
        pointer.map { String(cString: $0) } ?? ""
    }

    private static func state(_ raw: rd_kafka_consumer_group_state_t) -> KafkaConsumerGroupDescription.State {
        switch raw {
        case RD_KAFKA_CONSUMER_GROUP_STATE_PREPARING_REBALANCE: return .preparingRebalance
        case RD_KAFKA_CONSUMER_GROUP_STATE_COMPLETING_REBALANCE: return .completingRebalance
        case RD_KAFKA_CONSUMER_GROUP_STATE_STABLE: return .stable
        case RD_KAFKA_CONSUMER_GROUP_STATE_DEAD: return .dead
        case RD_KAFKA_CONSUMER_GROUP_STATE_EMPTY: return .empty
        default: return .unknown
        }
    }

    /// Destroys the result queue, then lets the client handle go on a detached thread (where
    /// `rd_kafka_destroy` may block for good in librdkafka 2.0.2), waiting at most `wait`.
    func release(wait: Duration) async {
        guard let done = releaseOnThread() else { return }
        let finished = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            DispatchQueue.global().async { continuation.resume(returning: done.wait(timeout: wait)) }
        }
        if !finished {
            logger.debug("the admin client is still being destroyed after \(wait); leaving it to its thread")
        }
    }

    /// Moves the last reference to the client into a detached thread, which destroys the
    /// result queue and then the handle. Returns the semaphore signalled when done, or nil
    /// when already released.
    private func releaseOnThread() -> DispatchSemaphoreBox? {
        let handOff = ClientHandOff()
        let taken = client.withLock { value -> Bool in
            guard let current = value else { return false }
            value = nil
            handOff.client.withLock { $0 = current }
            return true
        }
        guard taken else { return nil }
        let results = self.results
        let done = DispatchSemaphoreBox()
        let thread = Thread {
            rd_kafka_queue_destroy(results.pointer)
            handOff.client.withLock { $0 = nil }  // the last reference: RDKafkaClient.deinit destroys the handle here
            done.signal()
        }
        thread.name = "kafka-admin-release"
        thread.start()
        return done
    }

    /// Carries the last reference to the client from ``releaseOnThread()`` to its thread
    /// (no local variable of the caller may keep it alive).
    private final class ClientHandOff: Sendable {
        let client = Mutex<RDKafkaClient?>(nil)
    }

    deinit {
        // Normally released by `release(wait:)` already.
        _ = releaseOnThread()
    }
}

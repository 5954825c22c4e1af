import Kafka
import Logging
import Synchronization

/// Joins a consumer group as a member, to find out whether others are active and, when
/// none is, to commit offsets as the group's sole member.
///
/// The member subscribes with the pipeline's own assignment strategy (the
/// ``KafkaConsumerConfiguration`` default and any `partition.assignment.strategy` in the
/// raw properties), so it joins the pipeline's group protocol. With round-robin and a
/// topic of P ≥ 2 partitions, any other live member gets at least one partition, so an
/// assignment of every partition proves the member is alone. A member using a different
/// protocol makes the join fail with INCONSISTENT_GROUP_PROTOCOL, which also means others
/// are active.
///
/// With the consumer group protocol (KIP-848; `kafka.group_protocol` = `consumer`) the
/// broker assigns: it withholds partitions that other members still own, so a joining member
/// given fewer than every partition (or none) again proves others are active.
///
/// Single-partition corner: with P = 1 the assignor may give the only partition to this
/// member while another member is live, and the join cannot tell. Where the broker answers
/// DescribeConsumerGroups (real Kafka) that check catches it first; on the mock cluster,
/// stop the members before replaying a one-partition topic.
package final class SoleGroupMember: Sendable {
    private struct State: Sendable {
        var assigned: Set<KafkaTopicPartition> = []
        var assignments = 0
        var revocations = 0
        var protocolError: KafkaError?
        var lastError: KafkaError?
        var finished = false
    }

    private let consumer: KafkaConsumer
    private let state = Mutex(State())
    /// The task draining the consumer's events into `state`; set at the end of `init`.
    private let pump = Mutex<Task<Void, Never>?>(nil)
    private let logger: Logger
    package let groupID: String

    /// Creates the member (it joins on ``join(topic:partitions:timeout:settle:)``).
    package init(_ access: KafkaAccess, groupID: String, sessionTimeout: Duration = .seconds(10)) throws {
        let logger = access.logger
        let consumer = try access.consumer(groupID: groupID) {
            $0.clientID = "cardgenius-replay"
            // The pipeline's protocol: a classic member and consumer-protocol members of one
            // group id do not meet on the mock cluster (it keeps them as two groups).
            $0.groupProtocol = access.groupProtocol
            $0.sessionTimeout = sessionTimeout
            $0.heartbeatInterval = max(.milliseconds(100), sessionTimeout / 5)
        }
        self.consumer = consumer
        self.groupID = groupID
        self.logger = logger
        let task = Task { await self.pumpEvents() }
        pump.withLock { $0 = task }
    }

    /// Records assignments, revocations and errors until the consumer closes.
    private func pumpEvents() async {
        for await event in consumer.events {
            switch event {
            case .assigned(let offsets):
                state.withLock {
                    $0.assigned.formUnion(offsets.map(\.topicPartition))
                    $0.assignments += 1
                }
            case .revoked(let revocation):
                state.withLock {
                    $0.assigned.subtract(revocation.partitions)
                    $0.revocations += 1
                }
                revocation.acknowledge()
            case .error(let error):
                state.withLock {
                    if error.code == .inconsistentGroupProtocol { $0.protocolError = error }
                    $0.lastError = error
                }
            case .records, .endOfPartition, .statistics:
                break
            }
        }
        state.withLock { $0.finished = true }
    }

    /// What the join found.
    package enum JoinOutcome: Sendable, Hashable {
        /// Every partition of the topic is assigned to this member: it is alone.
        case sole
        /// Others are active; `evidence` says how it showed.
        case othersActive(evidence: String)
    }

    /// Subscribes to `topic` and waits for the assignment, then `settle` more to catch a
    /// member joining right behind. Throws ``KafkaError/Code/timedOut`` if no assignment
    /// arrives within `timeout`.
    package func join(
        topic: String, partitions: Int, timeout: Duration = .seconds(60),
        settle: Duration = .seconds(2)
    ) async throws -> JoinOutcome {
        try await consumer.subscribe(topics: [topic])
        let deadline = ContinuousClock.now + timeout
        while true {
            let s = state.withLock { $0 }
            if let error = s.protocolError {
                return .othersActive(evidence: "the group uses another assignment protocol: \(error.message)")
            }
            if s.assignments > 0 { break }
            if ContinuousClock.now >= deadline {
                throw KafkaError(
                    code: .timedOut,
                    message: "joining group \(groupID): no assignment within \(timeout)"
                        + (s.lastError.map { " (last error: \($0.message))" } ?? ""))
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        try await Task.sleep(for: settle)
        return check(topic: topic, partitions: partitions)
    }

    private func check(topic: String, partitions: Int) -> JoinOutcome {
        let s = state.withLock { $0 }
        if let error = s.protocolError {
            return .othersActive(evidence: "the group uses another assignment protocol: \(error.message)")
        }
        let mine = s.assigned.filter { $0.topic == topic }.count
        if mine < partitions {
            return .othersActive(evidence: "a joining member was assigned \(mine) of the \(partitions) partitions of \(topic)")
        }
        return .sole
    }

    /// Commits `offsets` as this member, retrying while the group rebalances (the mock
    /// cluster rejects commits then) as long as this member still holds every partition.
    package func commit(
        _ offsets: [KafkaPartitionOffset], topic: String, partitions: Int,
        timeout: Duration = .seconds(30)
    ) async throws -> JoinOutcome {
        let deadline = ContinuousClock.now + timeout
        var attempt = 0
        while true {
            if case .othersActive(let evidence) = check(topic: topic, partitions: partitions) {
                return .othersActive(evidence: evidence)
            }
            attempt += 1
            do {
                try await consumer.commit(offsets)
                return .sole
            } catch let error as KafkaError
                where error.isRetriable || error.code == .illegalGeneration
                || error.code == .unknownMemberID || error.code == .rebalanceInProgress
            {
                guard ContinuousClock.now < deadline else { throw error }
                logger.info("commit attempt \(attempt) failed, retrying: \(error.message)")
                try await Task.sleep(for: .milliseconds(500))
            }
        }
    }

    /// Leaves the group and waits until the member is gone.
    package func leave() async {
        await consumer.close()
        await pump.withLock { $0 }?.value
    }
}

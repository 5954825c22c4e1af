import AsyncAlgorithms
import Kafka
import Synchronization

/// Decides when a reader is idle: every assigned partition read to its end and nothing
/// new for a while. Shared between a consumer's event loop and a watcher task.
final class IdleTracker: Sendable {
    private struct State {
        var assigned: Set<KafkaTopicPartition> = []
        var atEnd: Set<KafkaTopicPartition> = []
        var lastActivity = ContinuousClock.now
    }
    private let state = Mutex(State())

    func assigned(_ partitions: [KafkaTopicPartition]) {
        state.withLock {
            $0.assigned.formUnion(partitions)
            $0.lastActivity = .now
        }
    }

    func revoked(_ partitions: [KafkaTopicPartition]) {
        state.withLock {
            $0.assigned.subtract(partitions)
            $0.atEnd.subtract(partitions)
        }
    }

    func records(_ partitions: some Sequence<KafkaTopicPartition>) {
        state.withLock { s in
            for tp in partitions { s.atEnd.remove(tp) }
            s.lastActivity = .now
        }
    }

    func end(_ partition: KafkaTopicPartition) {
        state.withLock { _ = $0.atEnd.insert(partition) }
    }

    /// True when every assigned partition is at its end and nothing happened for `idle`.
    func isIdle(for idle: Duration) -> Bool {
        state.withLock { s in
            !s.assigned.isEmpty && s.assigned.isSubset(of: s.atEnd) && ContinuousClock.now - s.lastActivity >= idle
        }
    }

    /// Calls `stop` once the reader has been idle for `idle` (looked at every 100 ms; the
    /// task ends without calling it when cancelled).
    func watch(idle: Duration, stop: @escaping @Sendable () async -> Void) -> Task<Void, Never> {
        Task {
            for await _ in AsyncTimerSequence.repeating(every: .milliseconds(100)) where isIdle(for: idle) {
                await stop()
                return
            }
        }
    }
}

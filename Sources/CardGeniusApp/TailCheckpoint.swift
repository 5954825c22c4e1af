import Kafka
import Synchronization

/// What `tail --commit` has printed and what of it the group holds, shared between the
/// read loop and the idle watcher: whoever stops the consumer commits the rest first,
/// since a commit made once the consumer closes is never answered.
final class TailCheckpoint: Sendable {
    private struct State {
        var printed: [KafkaTopicPartition: Int64] = [:]
        var committed: [KafkaTopicPartition: Int64] = [:]
    }
    private let state = Mutex(State())

    /// Records that `record` was printed.
    func printed(_ record: KafkaRecord) {
        state.withLock { $0.printed[record.topicPartition] = record.offset + 1 }
    }

    /// The printed positions the group does not hold yet (of `partitions`, or all).
    func uncommitted(of partitions: [KafkaTopicPartition]? = nil) -> [KafkaPartitionOffset] {
        state.withLock { s in
            s.printed.filter { tp, offset in
                (partitions.map { $0.contains(tp) } ?? true) && s.committed[tp] != offset
            }
            .map { KafkaPartitionOffset(topicPartition: $0.key, offset: $0.value) }
            .sorted { $0.topicPartition < $1.topicPartition }
        }
    }

    /// Commits what is printed and not yet held; a failure is left for the next attempt.
    func commit(_ consumer: KafkaConsumer, of partitions: [KafkaTopicPartition]? = nil) async {
        let offsets = uncommitted(of: partitions)
        guard !offsets.isEmpty, (try? await consumer.commit(offsets)) != nil else { return }
        state.withLock { s in for o in offsets { s.committed[o.topicPartition] = o.offset } }
    }

    /// Forgets revoked partitions: their next owner starts from what the group holds.
    func revoked(_ partitions: [KafkaTopicPartition]) {
        state.withLock { s in
            for tp in partitions {
                s.printed[tp] = nil
                s.committed[tp] = nil
            }
        }
    }
}

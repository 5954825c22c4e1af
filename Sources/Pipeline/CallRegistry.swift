import Kafka
import Synchronization

/// The API calls in flight, by input partition, so that a revocation can cancel the calls
/// of the partitions it takes away once its drain is over: a call that outlives the drain
/// would hold a connection and a slot of CardGenius's budget that the partition's next
/// owner also counts on, and its result would be dropped anyway.
final class CallRegistry: Sendable {
    struct Entry {
        var cancel: @Sendable () -> Void
        var cancelled = false
    }
    struct State {
        var nextID: UInt64 = 0
        var calls: [KafkaTopicPartition: [UInt64: Entry]] = [:]
    }
    private let state = Mutex(State())

    /// Registers a call of `partition`; `cancel` cancels it (called outside the lock).
    func register(_ partition: KafkaTopicPartition, cancel: @escaping @Sendable () -> Void) -> UInt64 {
        state.withLock { s in
            s.nextID += 1
            s.calls[partition, default: [:]][s.nextID] = Entry(cancel: cancel)
            return s.nextID
        }
    }

    /// Forgets a call that ended; returns whether ``cancel(_:)`` or ``cancel(_:id:)`` cancelled it.
    func finish(_ partition: KafkaTopicPartition, id: UInt64) -> Bool {
        state.withLock { s in
            let entry = s.calls[partition]?.removeValue(forKey: id)
            if s.calls[partition]?.isEmpty == true { s.calls[partition] = nil }
            return entry?.cancelled ?? false
        }
    }

    /// Cancels one call.
    func cancel(_ partition: KafkaTopicPartition, id: UInt64) {
        let cancel = state.withLock { s -> (@Sendable () -> Void)? in
            guard let entry = s.calls[partition]?[id], !entry.cancelled else { return nil }
            s.calls[partition]?[id]?.cancelled = true
            return entry.cancel
        }
        cancel?()
    }

    /// Cancels every call in flight for `partitions`; returns how many.
    func cancel(_ partitions: [KafkaTopicPartition]) -> Int {
        let cancels = state.withLock { s -> [@Sendable () -> Void] in
            var out: [@Sendable () -> Void] = []
            for tp in partitions {
                guard let entries = s.calls[tp] else { continue }
                for (id, entry) in entries where !entry.cancelled {
                    s.calls[tp]?[id]?.cancelled = true
                    out.append(entry.cancel)
                }
            }
            return out
        }
        cancels.forEach { $0() }
        return cancels.count
    }
}

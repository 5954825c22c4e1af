import Foundation

/// Counts the record batches a consumer's poll thread has handed to its event stream and
/// the application has not taken yet, and makes the poll thread wait while there are
/// ``capacity`` of them. The poll thread is a real thread (``RDKafkaPollThread``), so it
/// may block; it re-checks `giveUp` every 100 ms, so closing the consumer or dropping the
/// stream never leaves it waiting.
final class RDKafkaRecordCredits: @unchecked Sendable {
    /// Guards `waiting` (NSCondition: the poll thread waits on it).
    private let condition = NSCondition()
    private var waiting = 0
    /// The most batches handed over and not yet taken.
    let capacity: Int

    init(capacity: Int) { self.capacity = max(1, capacity) }

    /// Called by the poll thread before it hands over a batch: waits while ``capacity``
    /// batches wait, unless `giveUp()` says the consumer is closing or nobody listens.
    func acquire(giveUp: () -> Bool) {
        condition.lock()
        defer { condition.unlock() }
        while waiting >= capacity && !giveUp() {
            _ = condition.wait(until: Date(timeIntervalSinceNow: 0.1))
        }
        waiting += 1
    }

    /// Called when the application took a batch.
    func release() {
        condition.lock()
        waiting = max(0, waiting - 1)
        condition.signal()
        condition.unlock()
    }

    /// Batches handed over and not yet taken.
    var outstanding: Int {
        condition.lock()
        defer { condition.unlock() }
        return waiting
    }
}

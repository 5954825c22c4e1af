import Foundation

/// A dedicated OS thread that drains a librdkafka queue until its body says stop.
///
/// librdkafka's blocking `rd_kafka_queue_poll` never runs on Swift's cooperative pool.
final class RDKafkaPollThread: Sendable {
    private let finished = LockedValue<(done: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    /// Starts the thread. `body` is called repeatedly until it returns `false`.
    init(name: String, body: @escaping @Sendable () -> Bool) {
        let thread = Thread { [finished] in
            while body() {}
            let waiters = finished.withLock { state -> [CheckedContinuation<Void, Never>] in
                state.done = true
                defer { state.waiters = [] }
                return state.waiters
            }
            waiters.forEach { $0.resume() }
        }
        thread.name = name
        thread.start()
    }

    /// Waits until the thread has left its loop.
    func join() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = finished.withLock { state -> Bool in
                if state.done { return true }
                state.waiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }
}

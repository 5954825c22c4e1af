import Foundation
import Synchronization

/// A dedicated OS thread that drains a librdkafka queue until its body says stop.
///
/// librdkafka's blocking `rd_kafka_queue_poll` never runs on Swift's cooperative pool.
final class RDKafkaPollThread: Sendable {
    private struct State {
        /// The thread has left its loop.
        var done = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    /// Set by ``stop()``: the loop ends after the current turn.
    private let stopRequested = Atomic(false)

    /// Starts the thread. `body` is called repeatedly until it returns `false` or
    /// ``stop()`` is called.
    init(name: String, body: @escaping @Sendable () -> Bool) {
        let thread = Thread { [self] in
            while !stopRequested.load(ordering: .acquiring) && body() {}
            let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
                state.done = true
                defer { state.waiters = [] }
                return state.waiters
            }
            waiters.forEach { $0.resume() }
        }
        thread.name = name
        thread.start()
    }

    /// Asks the thread to leave its loop after the current turn (for owners whose body
    /// has no stop condition of its own).
    func stop() {
        stopRequested.store(true, ordering: .releasing)
    }

    /// Waits until the thread has left its loop.
    func join() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = self.state.withLock { state -> Bool in
                if state.done { return true }
                state.waiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }
}

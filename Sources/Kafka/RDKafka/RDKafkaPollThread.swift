import Foundation
import Synchronization

/// A dedicated OS thread that drains a librdkafka queue until its body says stop.
///
/// librdkafka's blocking `rd_kafka_queue_poll` never runs on Swift's cooperative pool.
final class RDKafkaPollThread: Sendable {
    private struct State {
        /// The thread has left its loop.
        var done = false
        var waiters: [UInt64: CheckedContinuation<Bool, Never>] = [:]
        var nextID: UInt64 = 0
        /// Joins whose time ran out before they were registered.
        var expired: Set<UInt64> = []
    }

    private let state = Mutex(State())
    /// Set by ``stop()``: the loop ends after the current turn.
    private let stopRequested = Atomic(false)

    /// Starts the thread. `body` is called repeatedly until it returns `false` or
    /// ``stop()`` is called.
    init(name: String, body: @escaping @Sendable () -> Bool) {
        let thread = Thread { [self] in
            while !stopRequested.load(ordering: .acquiring) && body() {}
            let waiters = state.withLock { state -> [CheckedContinuation<Bool, Never>] in
                state.done = true
                defer { state.waiters = [:] }
                return Array(state.waiters.values)
            }
            waiters.forEach { $0.resume(returning: true) }
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
        _ = await join(timeout: nil)
    }

    /// Waits until the thread has left its loop, or `timeout` passed (then returns false;
    /// the thread goes on).
    func join(timeout: Duration?) async -> Bool {
        let id = state.withLock { s -> UInt64 in
            s.nextID &+= 1
            return s.nextID
        }
        let timer = timeout.map { timeout in
            Task { [self] in
                try? await Task.sleep(for: timeout)
                if Task.isCancelled { return }
                let waiter = self.state.withLock { s -> CheckedContinuation<Bool, Never>? in
                    guard let waiter = s.waiters.removeValue(forKey: id) else {
                        if !s.done { s.expired.insert(id) }
                        return nil
                    }
                    return waiter
                }
                waiter?.resume(returning: false)
            }
        }
        defer { timer?.cancel() }
        return await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let now = self.state.withLock { state -> Bool? in
                if state.done { return true }
                if state.expired.remove(id) != nil { return false }
                state.waiters[id] = continuation
                return nil
            }
            if let now { continuation.resume(returning: now) }
        }
    }
}

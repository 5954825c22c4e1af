import Synchronization

/// Wakes tasks waiting for "something changed" without lost wake-ups: a waiter passes
/// the generation it saw before checking its condition and returns at once if it has
/// moved on. Waiters always re-check their condition, so spurious wake-ups are harmless.
final class WakeSignal: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var nextID: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    }
    private let state = Mutex(State())

    /// The current generation; read it before checking the condition you wait for.
    var generation: UInt64 { state.withLock { $0.generation } }

    /// Wakes every waiter.
    func notify() {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.generation &+= 1
            defer { s.waiters = [:] }
            return Array(s.waiters.values)
        }
        waiters.forEach { $0.resume() }
    }

    /// Waits until the generation differs from `seen`, or the task is cancelled.
    func wait(after seen: UInt64) async {
        let id = state.withLock { s -> UInt64 in
            s.nextID &+= 1
            return s.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                // A task already cancelled when it arrives has had its cancellation
                // handler run before this body (it found nothing to resume): checked here,
                // under the lock, so such a waiter returns instead of waiting for a notify
                // that may never come.
                let now = state.withLock { s -> Bool in
                    if s.generation != seen || Task.isCancelled { return true }
                    s.waiters[id] = c
                    return false
                }
                if now { c.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }

    /// Waits until the generation differs from `seen`, `deadline` passes, or the task is
    /// cancelled, whichever comes first.
    func wait(after seen: UInt64, until deadline: ContinuousClock.Instant) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.wait(after: seen) }
            group.addTask { try? await Task.sleep(until: deadline) }
            await group.next()
            group.cancelAll()
        }
    }
}

/// A one-shot signal: fired once, awaited by any number of tasks.
final class StopSignal: Sendable {
    private let state = Mutex<(fired: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    /// Fires the signal; returns false if it had already fired.
    func fire() -> Bool {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>]? in
            guard !s.fired else { return nil }
            s.fired = true
            defer { s.waiters = [] }
            return s.waiters
        }
        waiters?.forEach { $0.resume() }
        return waiters != nil
    }

    var isFired: Bool { state.withLock { $0.fired } }

    /// Waits until the signal fires.
    func wait() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now = state.withLock { s -> Bool in
                if s.fired { return true }
                s.waiters.append(c)
                return false
            }
            if now { c.resume() }
        }
    }
}

/// Wakes tasks waiting for "something changed" without lost wake-ups: a waiter passes
/// the generation it saw before checking its condition and returns at once if it has
/// moved on. Waiters always re-check their condition, so spurious wake-ups are harmless.
final class WakeSignal: Sendable {
    private let state = LockedState<(generation: UInt64, waiters: [CheckedContinuation<Void, Never>])>((0, []))

    /// The current generation; read it before checking the condition you wait for.
    var generation: UInt64 { state.withLock { $0.generation } }

    /// Wakes every waiter.
    func notify() {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.generation &+= 1
            defer { s.waiters = [] }
            return s.waiters
        }
        waiters.forEach { $0.resume() }
    }

    /// Waits until the generation differs from `seen`.
    func wait(after seen: UInt64) async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now = state.withLock { s -> Bool in
                if s.generation != seen { return true }
                s.waiters.append(c)
                return false
            }
            if now { c.resume() }
        }
    }
}

/// A one-shot signal: fired once, awaited by any number of tasks.
final class StopSignal: Sendable {
    private let state = LockedState<(fired: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

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

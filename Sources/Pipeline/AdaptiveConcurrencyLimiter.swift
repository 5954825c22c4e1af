import Synchronization

/// Limits the API calls in flight, adapting the limit to how CardGenius copes:
/// additive increase on success, multiplicative decrease on an overload signal (429,
/// 503, time-out, refused connection), never above the member's share of the budget.
///
/// Waiters are served in arrival order.
package final class AdaptiveConcurrencyLimiter: Sendable {
    struct State {
        var ceiling: Int  // this member's share of processing.max_workers
        var limit: Double  // current adaptive limit, 1...ceiling
        var inFlight = 0
        var waiters: [(id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
        var nextID: UInt64 = 0
        var lastDecrease: ContinuousClock.Instant? = nil
        var peak = 0
    }
    private let state: Mutex<State>
    /// The least time between two decreases, so one burst of failures halves once.
    private let decreaseCooldown: Duration

    package init(ceiling: Int, decreaseCooldown: Duration = .milliseconds(500)) {
        state = Mutex(State(ceiling: max(ceiling, 0), limit: Double(max(ceiling, 0))))
        self.decreaseCooldown = decreaseCooldown
    }

    /// The current limit, in-flight count, ceiling and the most ever in flight.
    package var snapshot: (limit: Int, inFlight: Int, ceiling: Int, peak: Int) {
        state.withLock { (Self.effective($0), $0.inFlight, $0.ceiling, $0.peak) }
    }

    /// Sets the ceiling (the member's share); the limit follows it down, and up only as
    /// far as it had been cut.
    package func setCeiling(_ ceiling: Int) {
        let wake = state.withLock { s -> [CheckedContinuation<Void, any Error>] in
            let uncut = s.limit >= Double(s.ceiling) - 0.001
            s.ceiling = max(ceiling, 0)
            s.limit = uncut ? Double(s.ceiling) : min(s.limit, Double(s.ceiling))
            return Self.admit(&s)
        }
        wake.forEach { $0.resume() }
    }

    /// Waits for a slot. Cancellation removes the waiter and throws.
    package func acquire() async throws {
        // A free slot is taken at once, without a continuation or a cancellation handler
        // (as before, a task cancelled while a slot is free still gets it).
        let queued = state.withLock { s -> UInt64? in
            if Self.takeFree(&s) { return nil }
            s.nextID += 1
            return s.nextID
        }
        guard let id = queued else { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                // A task cancelled before it got here has had its cancellation handler run
                // already (finding no waiter to remove): it must not be queued, or it would
                // wait until a slot frees, for ever if none does.
                let admitted = state.withLock { s -> Bool? in
                    if Self.takeFree(&s) { return true }
                    if Task.isCancelled { return false }
                    s.waiters.append((id, continuation))
                    return nil
                }
                switch admitted {
                case true?: continuation.resume()
                case false?: continuation.resume(throwing: CancellationError())
                case nil: break
                }
            }
        } onCancel: {
            let cancelled = state.withLock { s -> CheckedContinuation<Void, any Error>? in
                guard let i = s.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return s.waiters.remove(at: i).continuation
            }
            cancelled?.resume(throwing: CancellationError())
        }
    }

    /// Gives a slot back, reporting how the call went.
    package func release(_ outcome: Outcome) {
        let now = ContinuousClock.now
        let wake = state.withLock { s -> [CheckedContinuation<Void, any Error>] in
            s.inFlight -= 1
            switch outcome {
            case .success:
                s.limit = min(Double(s.ceiling), s.limit + 1 / max(s.limit, 1))
            case .overload:
                if s.lastDecrease.map({ now - $0 >= decreaseCooldown }) ?? true {
                    s.limit = max(1, (s.limit * 0.5).rounded(.down))
                    s.lastDecrease = now
                }
            case .neutral:
                break
            }
            return Self.admit(&s)
        }
        wake.forEach { $0.resume() }
    }

    /// How a call that held a slot went.
    package enum Outcome: Sendable { case success, overload, neutral }

    private static func effective(_ s: State) -> Int {
        min(s.ceiling, max(1, Int(s.limit.rounded(.down))))
    }

    /// Takes a slot for an arrival if one is free and nobody waits before it.
    private static func takeFree(_ s: inout State) -> Bool {
        guard s.waiters.isEmpty && s.inFlight < effective(s) else { return false }
        occupy(&s)
        return true
    }

    private static func occupy(_ s: inout State) {
        s.inFlight += 1
        s.peak = max(s.peak, s.inFlight)
    }

    private static func admit(_ s: inout State) -> [CheckedContinuation<Void, any Error>] {
        var wake: [CheckedContinuation<Void, any Error>] = []
        while !s.waiters.isEmpty && s.inFlight < effective(s) {
            wake.append(s.waiters.removeFirst().continuation)
            occupy(&s)
        }
        return wake
    }
}

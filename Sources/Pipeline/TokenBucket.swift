/// A token bucket: at most `burst` calls at once and `rate` calls per second on average.
///
/// Callers reserve a token and sleep until it is theirs, so waiting costs no thread and
/// tokens are handed out in arrival order. Rate and burst can change at any time (a
/// rebalance changes this member's share; an operator retunes the budget).
public final class TokenBucket: Sendable {
    struct State {
        var rate: Double
        var burst: Double
        var tokens: Double
        var last: ContinuousClock.Instant
        var enabled: Bool
    }
    private let state: LockedState<State>
    private let clock = ContinuousClock()

    /// A bucket that starts full.
    public init(rate: Double, burst: Double, enabled: Bool = true) {
        state = LockedState(State(rate: max(rate, 0), burst: max(burst, 1), tokens: max(burst, 1),
                                  last: ContinuousClock.now, enabled: enabled))
    }

    /// Changes the rate and burst; tokens above the new burst are dropped.
    public func update(rate: Double, burst: Double, enabled: Bool) {
        let now = clock.now
        state.withLock { s in
            Self.refill(&s, now)
            s.rate = max(rate, 0)
            s.burst = max(burst, 1)
            s.enabled = enabled
            s.tokens = min(s.tokens, s.burst)
        }
    }

    /// The current rate (calls/s) and burst.
    public var limits: (rate: Double, burst: Double, enabled: Bool) {
        state.withLock { ($0.rate, $0.burst, $0.enabled) }
    }

    /// Takes one token, waiting as long as needed.
    public func acquire() async throws {
        let wait = reserve()
        if wait > .zero { try await Task.sleep(for: wait) }
    }

    /// Takes one token now (possibly going into debt) and says how long to wait for it.
    func reserve() -> Duration {
        let now = clock.now
        return state.withLock { s -> Duration in
            guard s.enabled else { return .zero }
            Self.refill(&s, now)
            s.tokens -= 1
            if s.tokens >= 0 { return .zero }
            guard s.rate > 0 else { return .seconds(3600) }
            return .seconds(-s.tokens / s.rate)
        }
    }

    private static func refill(_ s: inout State, _ now: ContinuousClock.Instant) {
        let elapsed = now - s.last
        s.last = now
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        s.tokens = min(s.burst, s.tokens + seconds * s.rate)
    }
}

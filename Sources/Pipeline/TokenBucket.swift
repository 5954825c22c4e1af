import Synchronization

/// A token bucket: at most `burst` calls at once and `rate` calls per second on average.
///
/// Callers take a token when one is there and otherwise sleep until one may be, so
/// waiting costs no thread and the bucket never goes into debt. Rate and burst can change
/// at any time (a rebalance changes this member's share; an operator retunes the budget).
public final class TokenBucket: Sendable {
    struct State {
        var rate: Double
        var burst: Double
        var tokens: Double
        var last: ContinuousClock.Instant
        var enabled: Bool
        var primed: Bool
    }
    private let state: Mutex<State>
    private let clock = ContinuousClock()

    /// A bucket that starts full.
    public init(rate: Double, burst: Double, enabled: Bool = true) {
        state = Mutex(State(rate: max(rate, 0), burst: max(burst, 1), tokens: max(burst, 1),
                                  last: ContinuousClock.now, enabled: enabled, primed: rate > 0))
    }

    /// Changes the rate and burst; tokens above the new burst are dropped.
    public func update(rate: Double, burst: Double, enabled: Bool) {
        let now = clock.now
        state.withLock { s in
            Self.refill(&s, now)
            s.rate = max(rate, 0)
            s.burst = max(burst, 1)
            s.enabled = enabled
            // The first real share starts with its full burst; later changes (rebalances)
            // keep what is left, so a rebalance never hands out a second burst.
            if !s.primed && s.rate > 0 {
                s.primed = true
                s.tokens = s.burst
            } else {
                s.tokens = min(s.tokens, s.burst)
            }
        }
    }

    /// The current rate (calls/s) and burst.
    public var limits: (rate: Double, burst: Double, enabled: Bool) {
        state.withLock { ($0.rate, $0.burst, $0.enabled) }
    }

    /// Takes one token, waiting as long as needed. Waiters re-check at least every 250 ms,
    /// so a change of rate (a rebalance, a retune) applies to those already waiting.
    public func acquire() async throws {
        while true {
            let wait = tryTake()
            if wait == .zero { return }
            try await Task.sleep(for: min(wait, .milliseconds(250)))
        }
    }

    /// Takes a token if one is there (returns zero), else says how long until one may be.
    func tryTake() -> Duration {
        let now = clock.now
        return state.withLock { s -> Duration in
            guard s.enabled else { return .zero }
            Self.refill(&s, now)
            if s.tokens >= 1 {
                s.tokens -= 1
                return .zero
            }
            guard s.rate > 0 else { return .milliseconds(250) }
            return .seconds((1 - s.tokens) / s.rate)
        }
    }

    private static func refill(_ s: inout State, _ now: ContinuousClock.Instant) {
        let elapsed = now - s.last
        s.last = now
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        s.tokens = min(s.burst, s.tokens + seconds * s.rate)
    }
}

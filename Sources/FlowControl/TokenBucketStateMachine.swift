/// A token bucket as a pure value: `rate` tokens a second up to `burst`, one token a call.
///
/// Every method takes the time as an argument and says what the caller must do, so the
/// same bucket serves the pipeline (which waits for its turn) and the simulator (which
/// answers 429 with a `Retry-After`), and tests drive it with their own instants. The
/// bucket never goes into debt: a caller without a token is told when one will be there,
/// and asks again then.
package struct TokenBucketStateMachine<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    /// Tokens added a second (never negative).
    package private(set) var rate: Double
    /// The most tokens the bucket holds. Taken as given: a burst below one admits nothing
    /// (the simulator's `--burst 0.5`); callers that need a call to get through clamp it.
    package private(set) var burst: Double
    /// Whether the bucket limits at all; a disabled bucket lets every call through.
    package private(set) var enabled: Bool
    /// The tokens in the bucket as of ``lastRefill``, a fraction of one included.
    package private(set) var tokens: Double
    /// When the tokens were last counted.
    package private(set) var lastRefill: Instant
    /// Whether the bucket has had a positive rate: the first one fills it (see ``update(rate:burst:enabled:now:)``).
    private var primed: Bool

    /// A bucket that starts full.
    package init(rate: Double, burst: Double, enabled: Bool = true, now: Instant) {
        self.rate = max(rate, 0)
        self.burst = burst
        self.enabled = enabled
        self.tokens = burst
        self.lastRefill = now
        self.primed = rate > 0
    }

    /// What a caller asking for a token must do.
    package enum Action: Sendable, Equatable {
        /// Go: a token was taken (none when the bucket is disabled).
        case proceed
        /// No token yet: one will be there at this instant (unless the limits change).
        case wait(until: Instant)
        /// The rate is zero: no token comes until the limits change.
        case waitForUpdate
    }

    /// Refills for the time since the last call and takes a token if there is one.
    package mutating func take(now: Instant) -> Action {
        guard enabled else { return .proceed }
        refill(now)
        if tokens >= 1 {
            tokens -= 1
            return .proceed
        }
        guard rate > 0 else { return .waitForUpdate }
        return .wait(until: lastRefill.advanced(by: .seconds((1 - tokens) / rate)))
    }

    /// Changes the limits; tokens above the new burst are dropped.
    ///
    /// The first positive rate starts with a full burst (a member's first real share);
    /// later changes keep what is left, so a rebalance never hands out a second burst.
    /// Callers waiting must ask again: their instant may have moved.
    package mutating func update(rate: Double, burst: Double, enabled: Bool, now: Instant) {
        refill(now)
        self.rate = max(rate, 0)
        self.burst = burst
        self.enabled = enabled
        if !primed && self.rate > 0 {
            primed = true
            tokens = burst
        } else {
            tokens = min(tokens, burst)
        }
    }

    /// Adds the tokens earned since ``lastRefill``; time that goes backwards earns nothing.
    private mutating func refill(_ now: Instant) {
        guard now > lastRefill else { return }
        let elapsed = lastRefill.duration(to: now).components
        let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
        tokens = min(burst, tokens + seconds * rate)
        lastRefill = now
    }
}

/// How often and how long to wait before calling the API again after a retriable failure.
///
/// Exponential backoff with full jitter (see "Exponential Backoff And Jitter", AWS
/// Architecture Blog): the delay before attempt *n + 1* is uniform in
/// `[0, min(maxDelay, baseDelay * 2^(n-1))]`, raised to the server's `Retry-After` when that is
/// longer (up to ``RetryAfter/longestHonoured``). The policy is a pure value: randomness is
/// injected.
public struct RetryPolicy: Sendable, Equatable {
    /// Total attempts per request, including the first (so `3` means up to 2 retries).
    public var maxAttempts: Int
    /// Upper bound of the jitter window after the first failed attempt.
    public var baseDelay: Duration
    /// Cap of the jitter window. A longer `Retry-After` still wins.
    public var maxDelay: Duration

    /// Creates a policy.
    public init(
        maxAttempts: Int = 3,
        baseDelay: Duration = .milliseconds(500),
        maxDelay: Duration = .seconds(30)
    ) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// Delay before attempt `attempt + 1` after `attempt` attempts failed (1-based), or nil when
    /// attempts are used up.
    ///
    /// Exponential backoff with full jitter: uniform in
    /// `[0, min(maxDelay, baseDelay * 2^(attempt-1))]`, but never below `retryAfter` capped at
    /// ``RetryAfter/longestHonoured`` (and never above `maxDelay` unless `retryAfter` says so).
    ///
    /// - Parameters:
    ///   - attempt: how many attempts have failed so far (1 after the first failure).
    ///   - retryAfter: the server's `Retry-After`, if any.
    ///   - rng: source of the jitter.
    public func delay(
        afterAttempt attempt: Int,
        retryAfter: Duration?,
        using rng: inout some RandomNumberGenerator
    ) -> Duration? {
        guard attempt >= 1, attempt < self.maxAttempts else { return nil }
        let base = max(Self.nanoseconds(self.baseDelay), 0)
        let cap = max(Self.nanoseconds(self.maxDelay), 0)
        // base * 2^(attempt-1), saturating.
        let shift = min(attempt - 1, 62)
        let (scaled, overflow) = base.multipliedReportingOverflow(by: Int64(1) << shift)
        let window = overflow ? cap : min(cap, scaled)
        let jitter = window > 0 ? Int64.random(in: 0...window, using: &rng) : 0
        var delay = Duration.nanoseconds(jitter)
        // The server's wait, but no longer than the member's hold honours it: one answer
        // asking for a day must not pin this user's key and the partition's commit point.
        if let retryAfter, RetryAfter.honoured(retryAfter) > delay {
            delay = RetryAfter.honoured(retryAfter)
        }
        return delay
    }

    /// The maximum delay ``delay(afterAttempt:retryAfter:using:)`` can return without a
    /// `Retry-After` (the jitter window), or nil when attempts are used up.
    public func maximumDelay(afterAttempt attempt: Int) -> Duration? {
        guard attempt >= 1, attempt < self.maxAttempts else { return nil }
        let base = max(Self.nanoseconds(self.baseDelay), 0)
        let cap = max(Self.nanoseconds(self.maxDelay), 0)
        let (scaled, overflow) = base.multipliedReportingOverflow(by: Int64(1) << min(attempt - 1, 62))
        return .nanoseconds(overflow ? cap : min(cap, scaled))
    }

    /// Whole nanoseconds of `duration`, saturating at `Int64.max`.
    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        let (fromSeconds, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (total, overflow2) = fromSeconds.addingReportingOverflow(attoseconds / 1_000_000_000)
        if overflow2 { return seconds < 0 ? .min : .max }
        return total
    }
}

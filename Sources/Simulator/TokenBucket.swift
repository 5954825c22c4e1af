/// A token bucket: `rate` tokens per second up to `capacity`; a request takes one token.
struct TokenBucket: Sendable {
    let rate: Double
    let capacity: Double
    private(set) var tokens: Double
    private var updatedAt: UInt64

    init(rate: Double, capacity: Double, now: UInt64) {
        self.rate = rate
        self.capacity = capacity
        self.tokens = capacity
        self.updatedAt = now
    }

    /// The answer to one request.
    enum Decision: Equatable {
        /// Admitted; `remaining` whole tokens are left.
        case admitted(remaining: Int)
        /// Rejected; a token will be available in `retryAfterSeconds` (at least 1).
        case limited(retryAfterSeconds: Int)
    }

    /// Refills for the time elapsed since the last call (`now` in nanoseconds) and takes a token.
    mutating func take(now: UInt64) -> Decision {
        if now > self.updatedAt {
            let elapsed = Double(now - self.updatedAt) / 1e9
            self.tokens = min(self.capacity, self.tokens + elapsed * self.rate)
            self.updatedAt = now
        }
        if self.tokens >= 1 {
            self.tokens -= 1
            return .admitted(remaining: Int(self.tokens))
        }
        let wait = (1 - self.tokens) / self.rate
        return .limited(retryAfterSeconds: max(1, Int(wait.rounded(.up))))
    }
}

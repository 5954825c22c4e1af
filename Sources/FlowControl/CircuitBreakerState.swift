/// A circuit breaker's state: closed (calls flow), open (the API is considered down: no
/// calls) and half-open (one probe call at a time).
public enum CircuitBreakerState: String, Sendable { case closed, open, halfOpen = "half-open" }

/// A change of a circuit breaker's state; `sequence` numbers the transitions in the order
/// they happened, so that a receiver can ignore one reported after a later one.
public struct CircuitBreakerTransition: Sendable, Equatable {
    public var state: CircuitBreakerState
    public var sequence: UInt64
    public init(state: CircuitBreakerState, sequence: UInt64) {
        self.state = state
        self.sequence = sequence
    }
}

/// A permit to call: `.call` normally, `.probe` for the single half-open probe.
public enum CircuitBreakerPermit: Sendable { case call, probe }

/// What a call said about the API's health; `neutral` gives a permit back unused.
public enum CircuitBreakerCallHealth: Sendable { case healthy, failure, neutral }

/// A circuit breaker's tuning, with the defaults the service uses.
public struct CircuitBreakerConfiguration: Sendable, Equatable {
    /// Consecutive retriable failures that open a closed breaker.
    public var failureThreshold: Int = 10
    /// The first open period; it doubles on every failed probe.
    public var openDuration: Duration = .seconds(2)
    /// The longest open period.
    public var maxOpenDuration: Duration = .seconds(60)
    /// Open or half-open for this long without a transition, the breaker no longer
    /// excuses its member from stall detection (several open times: a breaker that
    /// works moves on within one open time plus one probe call).
    public var stuckAfter: Duration = .seconds(180)
    public init() {}
}

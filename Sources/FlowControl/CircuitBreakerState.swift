/// A circuit breaker's state: closed (calls flow), open (the API is considered down: no
/// calls) and half-open (one probe call at a time).
package enum CircuitBreakerState: String, Sendable {
    case closed, open
    case halfOpen = "half-open"
}

/// A change of a circuit breaker's state; `sequence` numbers the transitions in the order
/// they happened, so that a receiver can ignore one reported after a later one.
package struct CircuitBreakerTransition: Sendable, Equatable {
    package var state: CircuitBreakerState
    package var sequence: UInt64
    package init(state: CircuitBreakerState, sequence: UInt64) {
        self.state = state
        self.sequence = sequence
    }
}

/// A permit to call: `.call` normally, `.probe` for the single half-open probe.
package enum CircuitBreakerPermit: Sendable { case call, probe }

/// What a call said about the API's health; `neutral` gives a permit back unused.
package enum CircuitBreakerCallHealth: Sendable { case healthy, failure, neutral }

/// A circuit breaker's tuning, with the defaults the service uses.
package struct CircuitBreakerConfiguration: Sendable, Equatable {
    /// Consecutive retriable failures that open a closed breaker.
    package var failureThreshold: Int = 10
    /// The first open period; it doubles on every failed probe.
    package var openDuration: Duration = .seconds(2)
    /// The longest open period.
    package var maxOpenDuration: Duration = .seconds(60)
    /// Open or half-open for this long without a transition, the breaker no longer
    /// excuses its member from stall detection (several open times: a breaker that
    /// works moves on within one open time plus one probe call).
    package var stuckAfter: Duration = .seconds(180)
    package init() {}
}

/// The circuit breaker's states and transitions as a pure value: every method takes the
/// time as an argument and returns what the caller must do and the transition it made, if
/// any (numbered in the order it happened), for the owner to carry out outside its lock.
/// Tests drive it with their own instants.
///
/// The breaker always moves on: `open` becomes `half-open` once its open time is over,
/// whether or not a call is waiting (``advance(now:)``), and in `half-open` the first
/// caller gets the probe; a probe given back unused (its record was revoked, its task
/// cancelled) lets the next caller probe.
package struct CircuitBreakerStateMachine<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    package let configuration: CircuitBreakerConfiguration
    package private(set) var state: CircuitBreakerState = .closed
    package private(set) var consecutiveFailures = 0
    /// When an open breaker turns half-open.
    package private(set) var openUntil: Instant
    /// The current open period: doubles on every failed probe, back to the first on close.
    package private(set) var currentOpen: Duration
    package private(set) var probeInFlight = false
    /// How many times the breaker opened from closed.
    package private(set) var trips = 0
    /// The number of the last transition (0 before the first).
    package private(set) var sequence: UInt64 = 0
    /// When the last transition happened (or the breaker was made).
    package private(set) var lastTransition: Instant

    package init(configuration: CircuitBreakerConfiguration, now: Instant) {
        self.configuration = configuration
        self.openUntil = now
        self.currentOpen = configuration.openDuration
        self.lastTransition = now
    }

    /// What a caller asking for a permit must do.
    package enum Decision: Equatable, Sendable {
        /// Call (or probe) now.
        case go(CircuitBreakerPermit)
        /// The breaker is open until then: ask again then. Nothing but the clock moves an
        /// open breaker on, so a caller may sleep until exactly this instant.
        case wait(until: Instant)
        /// A probe is in flight: wait for its verdict (``releasesParked``).
        case park
    }

    /// Moves an open breaker to half-open once its open time is over.
    package mutating func advance(now: Instant) -> CircuitBreakerTransition? {
        guard state == .open, now >= openUntil else { return nil }
        return move(to: .halfOpen, now)
    }

    /// A caller asks to call.
    package mutating func permit(now: Instant) -> (Decision, CircuitBreakerTransition?) {
        let moved = advance(now: now)
        switch state {
        case .closed:
            return (.go(.call), moved)
        case .open:
            return (.wait(until: openUntil), moved)
        case .halfOpen:
            guard !probeInFlight else { return (.park, moved) }
            probeInFlight = true
            return (.go(.probe), moved)
        }
    }

    /// A call's verdict (or a permit given back unused, `neutral`).
    package mutating func record(
        _ result: CircuitBreakerCallHealth, permit: CircuitBreakerPermit,
        now: Instant
    ) -> CircuitBreakerTransition? {
        if permit == .probe { probeInFlight = false }
        switch result {
        case .neutral:
            return nil
        case .healthy:
            consecutiveFailures = 0
            guard state != .closed && (permit == .probe || state == .halfOpen) else { return nil }
            currentOpen = configuration.openDuration
            return move(to: .closed, now)
        case .failure:
            consecutiveFailures += 1
            if permit == .probe && state == .halfOpen {
                currentOpen = min(configuration.maxOpenDuration, currentOpen * 2)
                openUntil = now.advanced(by: currentOpen)
                return move(to: .open, now)
            }
            if state == .closed && consecutiveFailures >= configuration.failureThreshold {
                trips += 1
                openUntil = now.advanced(by: currentOpen)
                return move(to: .open, now)
            }
            return nil
        }
    }

    /// Whether callers parked for a probe's verdict may try again.
    package var releasesParked: Bool { state != .halfOpen || !probeInFlight }

    /// Whether the breaker has stayed open or half-open for longer than `limit` without a
    /// transition: it is not moving on, so it no longer excuses a member without progress.
    package func isStuck(longerThan limit: Duration, now: Instant) -> Bool {
        state != .closed && lastTransition.duration(to: now) > limit
    }

    private mutating func move(to newState: CircuitBreakerState, _ now: Instant) -> CircuitBreakerTransition {
        state = newState
        sequence += 1
        lastTransition = now
        return CircuitBreakerTransition(state: newState, sequence: sequence)
    }
}

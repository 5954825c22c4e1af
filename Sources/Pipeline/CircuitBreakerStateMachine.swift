/// The circuit breaker's states and transitions as a pure value: every method takes the
/// time as an argument and returns the transition it made, if any (numbered in the order
/// it happened), for ``CircuitBreaker`` to carry out outside its lock. Tests drive it with
/// their own instants.
///
/// The breaker always moves on: `open` becomes `half-open` once its open time is over,
/// whether or not a call is waiting (``advance(now:)``), and in `half-open` the first
/// caller gets the probe; a probe given back unused (its record was revoked, its task
/// cancelled) lets the next caller probe.
struct CircuitBreakerStateMachine: Sendable {
    typealias Instant = ContinuousClock.Instant

    let configuration: CircuitBreaker.Configuration
    private(set) var state: CircuitBreaker.State = .closed
    private(set) var consecutiveFailures = 0
    /// When an open breaker turns half-open.
    private(set) var openUntil: Instant
    /// The current open period: doubles on every failed probe, back to the first on close.
    private(set) var currentOpen: Duration
    private(set) var probeInFlight = false
    /// How many times the breaker opened from closed.
    private(set) var trips = 0
    /// The number of the last transition (0 before the first).
    private(set) var sequence: UInt64 = 0
    /// When the last transition happened (or the breaker was made).
    private(set) var lastTransition: Instant

    init(configuration: CircuitBreaker.Configuration, now: Instant) {
        self.configuration = configuration
        self.openUntil = now
        self.currentOpen = configuration.openDuration
        self.lastTransition = now
    }

    /// What a caller asking for a permit must do.
    enum Decision: Equatable, Sendable {
        /// Call (or probe) now.
        case go(CircuitBreaker.Permit)
        /// The breaker is open until then: ask again then.
        case wait(until: Instant)
        /// A probe is in flight: wait for its verdict.
        case park
    }

    /// Moves an open breaker to half-open once its open time is over.
    mutating func advance(now: Instant) -> CircuitBreaker.Transition? {
        guard state == .open, now >= openUntil else { return nil }
        return move(to: .halfOpen, now)
    }

    /// A caller asks to call.
    mutating func permit(now: Instant) -> (Decision, CircuitBreaker.Transition?) {
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
    mutating func record(_ result: CircuitBreaker.CallHealth, permit: CircuitBreaker.Permit,
                         now: Instant) -> CircuitBreaker.Transition? {
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
                openUntil = now + currentOpen
                return move(to: .open, now)
            }
            if state == .closed && consecutiveFailures >= configuration.failureThreshold {
                trips += 1
                openUntil = now + currentOpen
                return move(to: .open, now)
            }
            return nil
        }
    }

    /// Whether callers parked for a probe's verdict may try again.
    var releasesParked: Bool { state != .halfOpen || !probeInFlight }

    /// Whether the breaker has stayed open or half-open for longer than `limit` without a
    /// transition: it is not moving on, so it no longer excuses a member without progress.
    func isStuck(longerThan limit: Duration, now: Instant) -> Bool {
        state != .closed && now - lastTransition > limit
    }

    private mutating func move(to newState: CircuitBreaker.State, _ now: Instant) -> CircuitBreaker.Transition {
        state = newState
        sequence += 1
        lastTransition = now
        return CircuitBreaker.Transition(state: newState, sequence: sequence)
    }
}

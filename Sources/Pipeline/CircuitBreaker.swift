import FlowControl
import Synchronization

/// A circuit breaker over the CardGenius API: closed (calls flow), open (the API is
/// considered down: no calls, partitions paused) and half-open (one probe call at a time).
///
/// It opens after `failureThreshold` consecutive retriable failures, stays open for a
/// back-off that doubles on every failed probe (up to `maxOpenDuration`), and closes on
/// the first successful probe. ``trips`` counts openings, so a record can tell whether
/// the API went down while it was being retried (and must not be dead-lettered for it).
///
/// The states and transitions are ``CircuitBreakerStateMachine``'s; this class keeps it
/// behind a lock, parks callers and reports each transition with its number, so that the
/// receiver can apply transitions in the order they happened even when the reports
/// (made outside the lock) arrive in another order. Callers of an open breaker sleep
/// until its open time is over, callers parked for a probe's verdict until it comes;
/// both also wake at every transition. ``tick()`` moves an open breaker to half-open when
/// its time is over even when no call is waiting (its member's records may all have been
/// revoked meanwhile).
package final class CircuitBreaker: Sendable {
    /// The breaker's state.
    package typealias State = CircuitBreakerState
    /// A change of state; `sequence` numbers the transitions in the order they happened.
    package typealias Transition = CircuitBreakerTransition
    /// Tuning, with the defaults the service uses.
    package typealias Configuration = CircuitBreakerConfiguration
    /// A permit to call: `.call` normally, `.probe` for the single half-open probe.
    package typealias Permit = CircuitBreakerPermit
    /// What a call said about the API's health; `neutral` gives a permit back unused.
    package typealias CallHealth = CircuitBreakerCallHealth

    private let machine: Mutex<CircuitBreakerStateMachine<ContinuousClock.Instant>>
    /// Moves on at every transition and whenever callers parked for a probe may try again.
    private let changed = WakeSignal()
    private let clock: @Sendable () -> ContinuousClock.Instant
    private let onChange: @Sendable (Transition) -> Void

    /// - Parameters:
    ///   - now: the clock (tests inject their own).
    ///   - onChange: told of every transition, outside the breaker's lock: use the
    ///     transition's `sequence` to ignore one that arrives after a later one.
    package init(
        configuration: Configuration = .init(),
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now },
        onChange: @escaping @Sendable (Transition) -> Void = { _ in }
    ) {
        self.clock = now
        self.machine = Mutex(CircuitBreakerStateMachine(configuration: configuration, now: now()))
        self.onChange = onChange
    }

    /// The current state.
    package var state: State { machine.withLock { $0.state } }
    /// How many times the breaker has opened.
    package var trips: Int { machine.withLock { $0.trips } }

    /// Whether the breaker has been open or half-open for longer than its
    /// ``Configuration/stuckAfter`` without a transition.
    package var isStuck: Bool {
        let now = clock()
        return machine.withLock { $0.isStuck(longerThan: $0.configuration.stuckAfter, now: now) }
    }

    /// Moves an open breaker to half-open once its open time is over (the member calls
    /// this every second, so the breaker moves on with no call waiting).
    package func tick() {
        let now = clock()
        report(machine.withLock { $0.advance(now: now) }, releasesParked: false)
    }

    /// Waits until a call may be made. While open, waits for the open period to end and
    /// then lets exactly one probe through; everyone else waits for the probe's verdict.
    /// Throws `CancellationError` if the task is cancelled.
    package func permit() async throws -> Permit {
        while true {
            try Task.checkCancellation()
            // Read before asking, so that a change made in between is not missed.
            let seen = changed.generation
            let now = clock()
            let (decision, moved) = machine.withLock { $0.permit(now: now) }
            report(moved, releasesParked: false)
            switch decision {
            case .go(let permit):
                return permit
            case .wait(let until):
                // The injected clock says how long; the sleep itself is in real time.
                await changed.wait(after: seen, until: ContinuousClock.now + (until - now))
            case .park:
                await changed.wait(after: seen)
            }
        }
    }

    /// Reports a call's result: `healthy` for a success or a permanent (bad request)
    /// answer, `failure` for a retriable one, `neutral` for a permit given back unused.
    package func record(_ result: CallHealth, permit: Permit) {
        let now = clock()
        let moved = machine.withLock { $0.record(result, permit: permit, now: now) }
        // A probe's verdict (or the probe given back) lets parked callers try again.
        report(moved, releasesParked: permit == .probe)
    }

    /// Tells the owner of a transition and wakes the callers waiting for one.
    private func report(_ moved: Transition?, releasesParked: Bool) {
        if let moved { onChange(moved) }
        if moved != nil || releasesParked { changed.notify() }
    }
}

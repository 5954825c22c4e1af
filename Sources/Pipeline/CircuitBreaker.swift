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
/// (made outside the lock) arrive in another order. ``tick()`` moves an open breaker to
/// half-open when its time is over even when no call is waiting (its member's records
/// may all have been revoked meanwhile).
public final class CircuitBreaker: Sendable {
    /// The breaker's state.
    public enum State: String, Sendable { case closed, open, halfOpen = "half-open" }

    /// A change of state; `sequence` numbers the transitions in the order they happened.
    public struct Transition: Sendable, Equatable {
        public var state: State
        public var sequence: UInt64
        public init(state: State, sequence: UInt64) {
            self.state = state
            self.sequence = sequence
        }
    }

    /// Tuning, with the defaults the service uses.
    public struct Configuration: Sendable, Equatable {
        public var failureThreshold: Int = 10
        public var openDuration: Duration = .seconds(2)
        public var maxOpenDuration: Duration = .seconds(60)
        /// Open or half-open for this long without a transition, the breaker no longer
        /// excuses its member from stall detection (several open times: a breaker that
        /// works moves on within one open time plus one probe call).
        public var stuckAfter: Duration = .seconds(180)
        public init() {}
    }

    struct Inner {
        var machine: CircuitBreakerStateMachine
        var waiters: [CheckedContinuation<Void, Never>] = []
    }
    private let inner: Mutex<Inner>
    private let clock: @Sendable () -> ContinuousClock.Instant
    private let onChange: @Sendable (Transition) -> Void

    /// - Parameters:
    ///   - now: the clock (tests inject their own).
    ///   - onChange: told of every transition, outside the breaker's lock: use the
    ///     transition's `sequence` to ignore one that arrives after a later one.
    public init(configuration: Configuration = .init(),
                now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now },
                onChange: @escaping @Sendable (Transition) -> Void = { _ in }) {
        self.clock = now
        self.inner = Mutex(Inner(machine: CircuitBreakerStateMachine(configuration: configuration, now: now())))
        self.onChange = onChange
    }

    /// The current state.
    public var state: State { inner.withLock { $0.machine.state } }
    /// How many times the breaker has opened.
    public var trips: Int { inner.withLock { $0.machine.trips } }

    /// Whether the breaker has been open or half-open for longer than its
    /// ``Configuration/stuckAfter`` without a transition.
    public var isStuck: Bool {
        let now = clock()
        return inner.withLock { $0.machine.isStuck(longerThan: $0.machine.configuration.stuckAfter, now: now) }
    }

    /// A permit to call: `.call` normally, `.probe` for the single half-open probe.
    public enum Permit: Sendable { case call, probe }

    /// Moves an open breaker to half-open once its open time is over (the member calls
    /// this every second, so the breaker moves on with no call waiting).
    public func tick() {
        let now = clock()
        let (moved, wake) = inner.withLock { s -> (Transition?, [CheckedContinuation<Void, Never>]) in
            guard let moved = s.machine.advance(now: now) else { return (nil, []) }
            return (moved, Self.releaseParked(&s))
        }
        if let moved { onChange(moved) }
        wake.forEach { $0.resume() }
    }

    /// Waits until a call may be made. While open, waits for the open period to end and
    /// then lets exactly one probe through; everyone else waits for the probe's verdict.
    public func permit() async throws -> Permit {
        while true {
            try Task.checkCancellation()
            let now = clock()
            let (decision, moved) = inner.withLock { $0.machine.permit(now: now) }
            if let moved { onChange(moved) }
            switch decision {
            case .go(let permit): return permit
            case .wait(let until): try await Task.sleep(for: min(until - now, .milliseconds(250)))
            case .park:
                await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                    let resumeNow = inner.withLock { s -> Bool in
                        guard s.machine.releasesParked else { s.waiters.append(c); return false }
                        return true
                    }
                    if resumeNow { c.resume() }
                }
            }
        }
    }

    /// Reports a call's result: `healthy` for a success or a permanent (bad request)
    /// answer, `failure` for a retriable one, `neutral` for a permit given back unused.
    public func record(_ result: CallHealth, permit: Permit) {
        let now = clock()
        let (moved, wake) = inner.withLock { s -> (Transition?, [CheckedContinuation<Void, Never>]) in
            let moved = s.machine.record(result, permit: permit, now: now)
            return (moved, Self.releaseParked(&s))
        }
        if let moved { onChange(moved) }
        wake.forEach { $0.resume() }
    }

    private static func releaseParked(_ s: inout Inner) -> [CheckedContinuation<Void, Never>] {
        guard s.machine.releasesParked else { return [] }
        defer { s.waiters = [] }
        return s.waiters
    }

    /// What a call said about the API's health; `neutral` gives a permit back unused.
    public enum CallHealth: Sendable { case healthy, failure, neutral }
}

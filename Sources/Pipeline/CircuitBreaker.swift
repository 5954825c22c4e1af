import Synchronization

/// A circuit breaker over the CardGenius API: closed (calls flow), open (the API is
/// considered down: no calls, partitions paused) and half-open (one probe call at a time).
///
/// It opens after `failureThreshold` consecutive retriable failures, stays open for a
/// back-off that doubles on every failed probe (up to `maxOpenDuration`), and closes on
/// the first successful probe. ``trips`` counts openings, so a record can tell whether
/// the API went down while it was being retried (and must not be dead-lettered for it).
public final class CircuitBreaker: Sendable {
    /// The breaker's state.
    public enum State: String, Sendable { case closed, open, halfOpen = "half-open" }

    /// Tuning, with the defaults the service uses.
    public struct Configuration: Sendable, Equatable {
        public var failureThreshold: Int = 10
        public var openDuration: Duration = .seconds(2)
        public var maxOpenDuration: Duration = .seconds(60)
        public init() {}
    }

    struct Inner {
        var state: State = .closed
        var consecutiveFailures = 0
        var openUntil: ContinuousClock.Instant = .now
        var currentOpen: Duration
        var probeInFlight = false
        var trips = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
    }
    private let inner: Mutex<Inner>
    private let configuration: Configuration
    private let onChange: @Sendable (State) -> Void

    public init(configuration: Configuration = .init(), onChange: @escaping @Sendable (State) -> Void = { _ in }) {
        self.configuration = configuration
        self.inner = Mutex(Inner(currentOpen: configuration.openDuration))
        self.onChange = onChange
    }

    /// The current state.
    public var state: State { inner.withLock { $0.state } }
    /// How many times the breaker has opened.
    public var trips: Int { inner.withLock { $0.trips } }

    /// A permit to call: `.call` normally, `.probe` for the single half-open probe.
    public enum Permit: Sendable { case call, probe }

    /// Waits until a call may be made. While open, waits for the open period to end and
    /// then lets exactly one probe through; everyone else waits for the probe's verdict.
    public func permit() async throws -> Permit {
        while true {
            try Task.checkCancellation()
            let now = ContinuousClock.now
            enum Step { case go(Permit), sleep(Duration), park }
            var changed: State?
            let step = inner.withLock { s -> Step in
                switch s.state {
                case .closed:
                    return .go(.call)
                case .open:
                    if now < s.openUntil { return .sleep(s.openUntil - now) }
                    s.state = .halfOpen
                    changed = .halfOpen
                    s.probeInFlight = true
                    return .go(.probe)
                case .halfOpen:
                    if !s.probeInFlight { s.probeInFlight = true; return .go(.probe) }
                    return .park
                }
            }
            if let changed { onChange(changed) }
            switch step {
            case .go(let permit): return permit
            case .sleep(let d): try await Task.sleep(for: min(d, .milliseconds(250)))
            case .park:
                await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                    let resumeNow = inner.withLock { s -> Bool in
                        if s.state == .halfOpen && s.probeInFlight { s.waiters.append(c); return false }
                        return true
                    }
                    if resumeNow { c.resume() }
                }
            }
        }
    }

    /// Reports a call's result: `healthy` for a success or a permanent (bad request)
    /// answer, `failure` for a retriable one.
    public func record(_ result: CallHealth, permit: Permit) {
        let now = ContinuousClock.now
        var changed: State?
        let wake = inner.withLock { s -> [CheckedContinuation<Void, Never>] in
            if permit == .probe { s.probeInFlight = false }
            switch result {
            case .neutral:
                break
            case .healthy:
                s.consecutiveFailures = 0
                if s.state != .closed && (permit == .probe || s.state == .halfOpen) {
                    s.state = .closed
                    s.currentOpen = configuration.openDuration
                    changed = .closed
                }
            case .failure:
                s.consecutiveFailures += 1
                if permit == .probe && s.state == .halfOpen {
                    s.currentOpen = min(configuration.maxOpenDuration, s.currentOpen * 2)
                    s.state = .open
                    s.openUntil = now + s.currentOpen
                    changed = .open
                } else if s.state == .closed && s.consecutiveFailures >= configuration.failureThreshold {
                    s.state = .open
                    s.trips += 1
                    s.openUntil = now + s.currentOpen
                    changed = .open
                }
            }
            guard s.state != .halfOpen || !s.probeInFlight else { return [] }
            defer { s.waiters = [] }
            return s.waiters
        }
        if let changed { onChange(changed) }
        wake.forEach { $0.resume() }
    }

    /// What a call said about the API's health; `neutral` gives a permit back unused.
    public enum CallHealth: Sendable { case healthy, failure, neutral }
}

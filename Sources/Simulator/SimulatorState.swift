import FlowControl
import Synchronization

/// The simulator's mutable state behind one lock: counters for `/stats`, the per-client
/// token buckets, the in-flight count, and the seeded random source of fault and latency draws.
final class SimulatorState: Sendable {
    /// What happens to an admitted request.
    enum Fault: Equatable, Sendable {
        case none, serviceUnavailable, hang, reset, truncate, badRequest
    }

    /// The gatekeeping decision for an arriving request.
    enum Admission: Equatable, Sendable {
        /// Serve it (the in-flight count has been incremented; call ``finish(status:)``).
        /// `rateLimitRemaining` is set when the rate limit is on.
        case admitted(fault: Fault, latencyNanoseconds: Int64, rateLimitRemaining: Int?)
        case outage
        case rateLimited(retryAfterSeconds: Int)
        case overCapacity
    }

    struct Counters {
        var requests = 0
        var byStatus: [Int: Int] = [:]
        var resets = 0
        var hangs = 0
        var inFlight = 0
        var peakConcurrency = 0
        var window = SlidingWindowCounter()
        var startedAtUnix: Double = 0
    }

    private struct Inner {
        var counters = Counters()
        var buckets: [String: TokenBucketStateMachine<ContinuousClock.Instant>] = [:]
        var rng: SplitMix64
    }

    private let inner: Mutex<Inner>
    private let shuttingDown = Atomic<Bool>(false)
    private let configuration: SimulatorConfiguration
    private let latency: LatencyModel
    private let clock = ContinuousClock()
    /// Start of the simulator's time line (outage window, token buckets, rate window).
    private let origin: Mutex<ContinuousClock.Instant>

    /// Cumulative fault fractions: a draw below a threshold selects that fault.
    private let faultThresholds: [(Fault, Double)]

    init(configuration: SimulatorConfiguration, startedAtUnix: Double) {
        self.configuration = configuration
        var cumulative = 0.0
        self.faultThresholds = [
            (Fault.serviceUnavailable, configuration.fail503), (.hang, configuration.failHang),
            (.reset, configuration.failReset), (.truncate, configuration.failTruncate),
            (.badRequest, configuration.fail400),
        ].compactMap { fault, fraction in
            guard fraction > 0 else { return nil }
            cumulative += fraction
            return (fault, cumulative)
        }
        self.latency = LatencyModel(
            meanMilliseconds: configuration.latencyMilliseconds,
            sigma: configuration.latencySigma,
            scale: configuration.latencyScale
        )
        var inner = Inner(rng: SplitMix64(seed: configuration.seed))
        inner.counters.startedAtUnix = startedAtUnix
        self.inner = Mutex(inner)
        self.origin = Mutex(self.clock.now)
    }

    /// Restarts the time line (the outage window counts from here) and the counters.
    func markStarted(unixTime: Double) {
        self.origin.withLock { $0 = self.clock.now }
        self.inner.withLock { state in
            state.counters = Counters()
            state.counters.startedAtUnix = unixTime
            state.buckets = [:]
        }
    }

    /// True once graceful shutdown has begun.
    var isShuttingDown: Bool { self.shuttingDown.load(ordering: .relaxed) }

    /// Marks the start of graceful shutdown: hanging requests give up.
    func beginShutdown() {
        self.shuttingDown.store(true, ordering: .relaxed)
    }

    /// Monotonic nanoseconds from start-up to `instant`.
    func nanoseconds(at instant: ContinuousClock.Instant) -> UInt64 {
        let origin = self.origin.withLock { $0 }
        let elapsed = origin.duration(to: instant).components
        return UInt64(max(0, elapsed.seconds)) &* 1_000_000_000 &+ UInt64(max(0, elapsed.attoseconds / 1_000_000_000))
    }

    /// A 429's `Retry-After` for a token `wait` away: whole seconds, rounded up, one at least.
    static func retryAfterSeconds(_ wait: Duration) -> Int {
        let seconds = Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18
        return max(1, Int(seconds.rounded(.up)))
    }

    /// Counts an arriving API request and decides what to do with it.
    /// - Parameter client: the client's address, evaluated only when the rate limit is on.
    func admit(client: () -> String) -> Admission {
        let instant = self.clock.now
        let now = self.nanoseconds(at: instant)
        let configuration = self.configuration
        return self.inner.withLock { state in
            state.counters.requests += 1
            state.counters.window.record(now: now)

            if let after = configuration.outageAfter, configuration.outageFor > 0 {
                let seconds = Double(now) / 1e9
                if seconds >= after, seconds < after + configuration.outageFor {
                    return .outage
                }
            }
            var remaining: Int?
            if configuration.rateLimit > 0 {
                let client = client()
                var bucket =
                    state.buckets[client]
                    ?? TokenBucketStateMachine(rate: configuration.rateLimit, burst: configuration.effectiveBurst, now: instant)
                let action = bucket.take(now: instant)
                state.buckets[client] = bucket
                switch action {
                case .proceed:
                    remaining = Int(bucket.tokens)
                case .wait(let until):
                    // Counted from the bucket's last count, as the token's deficit is.
                    return .rateLimited(retryAfterSeconds: Self.retryAfterSeconds(bucket.lastRefill.duration(to: until)))
                case .waitForUpdate:
                    // Not reached: the limit is on only at a positive rate.
                    return .rateLimited(retryAfterSeconds: 1)
                }
            }
            if configuration.maxConcurrency > 0, state.counters.inFlight >= configuration.maxConcurrency {
                return .overCapacity
            }
            state.counters.inFlight += 1
            state.counters.peakConcurrency = max(state.counters.peakConcurrency, state.counters.inFlight)

            var fault = Fault.none
            if !self.faultThresholds.isEmpty {
                let draw = state.rng.nextUnit()
                for (candidate, threshold) in self.faultThresholds where draw < threshold {
                    fault = candidate
                    break
                }
            }
            switch fault {
            case .hang: state.counters.hangs += 1
            case .reset: state.counters.resets += 1
            default: break
            }
            let latency = self.latency.sampleNanoseconds(using: &state.rng)
            return .admitted(fault: fault, latencyNanoseconds: latency, rateLimitRemaining: remaining)
        }
    }

    /// Counts a request that was not admitted (or not an API request) by its status.
    func record(status: Int) {
        self.inner.withLock { $0.counters.byStatus[status, default: 0] += 1 }
    }

    /// Ends an admitted request; `status` is nil when no answer was sent (a reset).
    func finish(status: Int?) {
        self.inner.withLock { state in
            state.counters.inFlight -= 1
            if let status { state.counters.byStatus[status, default: 0] += 1 }
        }
    }

    /// A copy of the counters.
    func statistics() -> SimulatorStatistics {
        self.inner.withLock { state in
            let counters = state.counters
            return SimulatorStatistics(
                requests: counters.requests,
                byStatus: counters.byStatus,
                resets: counters.resets,
                hangs: counters.hangs,
                inFlight: counters.inFlight,
                peakConcurrency: counters.peakConcurrency,
                peakRPS: counters.window.peak,
                startedAt: counters.startedAtUnix
            )
        }
    }

    /// Zeroes the counters (the in-flight count and rate-limit buckets are kept).
    func reset(unixTime: Double) {
        self.inner.withLock { state in
            let inFlight = state.counters.inFlight
            state.counters = Counters()
            state.counters.inFlight = inFlight
            state.counters.peakConcurrency = inFlight
            state.counters.startedAtUnix = unixTime
        }
    }
}

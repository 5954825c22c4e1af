import DequeModule
import Kafka
import Metrics
import Synchronization

/// What a member measures about itself beyond counting: when the broker last answered,
/// consumer lag per partition and in time, throughput, how long every API slot of the
/// share was in use, and output delivery latency. Kept for
/// ``RecommendationPipeline/health`` and exported through swift-metrics.
final class PipelineObserver: Sendable {
    /// The window throughput is measured over.
    static let throughputWindow: Duration = .seconds(30)

    struct State {
        var brokerAnswered: ContinuousClock.Instant?
        var lag: [KafkaTopicPartition: Int64]?
        var lagComplete = false
        var watermarks: [KafkaTopicPartition: (low: Int64, high: Int64)] = [:]
        var completions: Deque<(at: ContinuousClock.Instant, count: Int)> = []
        var lastPoolSample: ContinuousClock.Instant?
        var stalled: [KafkaTopicPartition] = []
    }
    private let state = Mutex(State())
    private let deliveryLatency = Timer(label: "cardgenius_output_delivery_seconds", preferredDisplayUnit: .seconds)
    private let poolExhausted = FloatingPointCounter(label: "cardgenius_api_pool_exhausted_seconds_total")
    private let lagSeconds = Gauge(label: "cardgenius_consumer_lag_seconds")
    private let throughputGauge = Gauge(label: "cardgenius_throughput_records_per_second")
    private let ready = Gauge(label: "cardgenius_ready")
    private let stalledGauge = Gauge(label: "cardgenius_member_stalled")

    init() {
        ready.record(0)
        stalledGauge.record(0)
        lagSeconds.record(-1)
    }

    /// The broker answered a request just now.
    func brokerAnswered() { state.withLock { $0.brokerAnswered = .now } }

    /// Time since the broker last answered, or nil if it never did.
    var brokerSilence: Duration? { state.withLock { $0.brokerAnswered.map { ContinuousClock.now - $0 } } }

    /// A result reached Kafka `latency` after the record's API answer (or its verdict).
    func delivered(after latency: Duration) {
        deliveryLatency.recordNanoseconds(
            latency.components.seconds * 1_000_000_000
                + latency.components.attoseconds / 1_000_000_000)
    }

    /// Samples the API slots: time since the last sample counts as exhausted when every
    /// slot of the member's share is in use.
    func samplePool(inFlight: Int, ceiling: Int) {
        let now = ContinuousClock.now
        let elapsed = state.withLock { s -> Duration? in
            defer { s.lastPoolSample = now }
            return s.lastPoolSample.map { now - $0 }
        }
        if let elapsed, ceiling > 0, inFlight >= ceiling {
            poolExhausted.increment(by: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
    }

    /// Records the running count of completed records; returns the throughput (records/s)
    /// over the last ``throughputWindow``.
    @discardableResult
    func sampleCompleted(_ count: Int) -> Double {
        let now = ContinuousClock.now
        let rate = state.withLock { s -> Double in
            s.completions.append((now, count))
            while let first = s.completions.first, now - first.at > Self.throughputWindow { s.completions.removeFirst() }
            return Self.throughput(s)
        }
        throughputGauge.record(rate)
        return rate
    }

    /// A partition's low and high watermarks, as its leader answered.
    func watermarks(_ tp: KafkaTopicPartition, low: Int64, high: Int64) {
        state.withLock { $0.watermarks[tp] = (low, high) }
    }

    /// The owned partitions' high watermarks, as their leaders last answered.
    var highWatermarks: [KafkaTopicPartition: Int64] { state.withLock { $0.watermarks.mapValues(\.high) } }

    /// Computes the lag of the owned partitions from their last known high watermarks and
    /// their current commit points (`nil` while nothing is owned before the first
    /// assignment), exports it per partition and in time, and forgets partitions no longer
    /// owned.
    func updateLag(owned: [KafkaTopicPartition: Int64]?) {
        let (previous, lag) = state.withLock { s -> ([KafkaTopicPartition: Int64], [KafkaTopicPartition: Int64]?) in
            let previous = s.lag ?? [:]
            guard let owned else {
                s.lag = nil
                s.lagComplete = false
                return (previous, nil)
            }
            s.watermarks = s.watermarks.filter { owned[$0.key] != nil }
            var lag: [KafkaTopicPartition: Int64] = [:]
            for (tp, commitPoint) in owned {
                guard let marks = s.watermarks[tp] else { continue }
                let position = commitPoint >= 0 ? max(commitPoint, marks.low) : marks.low
                lag[tp] = max(0, marks.high - position)
            }
            // A partition whose leader has not answered yet has no gauge, and the total
            // stays unknown until every owned partition's leader answered.
            s.lag = lag
            s.lagComplete = lag.count == owned.count
            return (previous, s.lag)
        }
        for (tp, records) in lag ?? [:] { Self.lagGauge(tp).record(records) }
        for tp in previous.keys where lag?[tp] == nil { Self.lagGauge(tp).destroy() }
        lagSeconds.record(figures.lagSeconds ?? -1)
    }

    /// The owned partitions' lag in records, as last computed (partitions whose leader has
    /// not answered yet are missing).
    var lagByPartition: [KafkaTopicPartition: Int64] { state.withLock { $0.lag ?? [:] } }

    /// Records the stalled partitions (for health and `cardgenius_member_stalled`); returns
    /// the ones recorded before.
    @discardableResult
    func stalled(_ partitions: [KafkaTopicPartition]) -> [KafkaTopicPartition] {
        stalledGauge.record(partitions.isEmpty ? 0 : 1)
        return state.withLock { s in
            defer { s.stalled = partitions }
            return s.stalled
        }
    }

    /// The partitions found stalled at the last check.
    var stalledPartitions: [KafkaTopicPartition] { state.withLock { $0.stalled } }

    /// Readiness, for the `cardgenius_ready` gauge.
    func readiness(_ isReady: Bool) { ready.record(isReady ? 1 : 0) }

    /// Total lag (records), the lag in seconds at the current throughput, and the throughput.
    var figures: (lag: Int?, lagSeconds: Double?, throughput: Double) {
        state.withLock { s in
            let rate = Self.throughput(s)
            guard let lag = s.lag, s.lagComplete else { return (nil, nil, rate) }
            let total = Int(lag.values.reduce(0, +))
            if total == 0 { return (0, 0, rate) }
            return (total, rate > 0 ? Double(total) / rate : nil, rate)
        }
    }

    private static func throughput(_ s: State) -> Double {
        guard let first = s.completions.first, let last = s.completions.last else { return 0 }
        let span = last.at - first.at
        let seconds = Double(span.components.seconds) + Double(span.components.attoseconds) / 1e18
        return seconds > 0.5 ? Double(last.count - first.count) / seconds : 0
    }

    private static func lagGauge(_ tp: KafkaTopicPartition) -> Gauge {
        Gauge(label: "cardgenius_consumer_lag_records", dimensions: [("topic", tp.topic), ("partition", String(tp.partition))])
    }
}

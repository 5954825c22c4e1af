import CardGenius
import Kafka
import Metrics
import Synchronization

/// The member's metrics through swift-metrics (exported as Prometheus by the CLI).
/// Names follow Prometheus conventions: `cardgenius_*_total` counters, `_seconds` units.
final class PipelineMetrics: Sendable {
    private let apiInFlight = Gauge(label: "cardgenius_api_in_flight")
    private let concurrencyLimit = Gauge(label: "cardgenius_concurrency_limit")
    private let concurrencyShare = Gauge(label: "cardgenius_concurrency_budget_share")
    private let rateShare = Gauge(label: "cardgenius_rate_budget_share")
    private let circuit = Gauge(label: "cardgenius_circuit_state")
    private let buffered = Gauge(label: "cardgenius_records_buffered")
    private let recordsInProgress = Gauge(label: "cardgenius_records_in_progress")
    private let apiHoldSeconds = Gauge(label: "cardgenius_api_hold_seconds")
    private let retries = Counter(label: "cardgenius_retries_total")
    private let rebalances = Counter(label: "cardgenius_rebalances_total")
    private let kafkaErrors = Counter(label: "cardgenius_kafka_errors_total")
    private let fetchRestarts = Counter(label: "cardgenius_fetch_restarts_total")
    private let apiLatency = Timer(label: "cardgenius_api_latency_seconds", preferredDisplayUnit: .seconds)
    private let recordLatency = Timer(label: "cardgenius_record_duration_seconds", preferredDisplayUnit: .seconds)
    private let inFlight = Mutex(0)
    private let starvedGauge = Gauge(label: "cardgenius_member_starved")

    init() {
        circuit.record(0)
        starvedGauge.record(0)
        apiHoldSeconds.record(0)
    }

    /// Labelled counters made once per label value: making one goes through the metrics
    /// factory's registry (a lock and a lookup by name and labels), too dear for every record.
    private let labelled = Mutex<[LabelledKey: Counter]>([:])

    private struct LabelledKey: Hashable {
        var label: String
        var value: String
    }

    private func counter(_ label: String, _ dimension: String, _ value: String) -> Counter {
        let key = LabelledKey(label: label, value: value)
        return labelled.withLock { made in
            if let counter = made[key] { return counter }
            let counter = Counter(label: label, dimensions: [(dimension, value)])
            made[key] = counter
            return counter
        }
    }

    func recordDone(outcome: String) {
        counter("cardgenius_records_total", "outcome", outcome).increment()
    }

    func skipped(_ n: Int) {
        counter("cardgenius_records_total", "outcome", "skipped").increment(by: n)
    }

    func callStarted() {
        apiInFlight.record(
            inFlight.withLock {
                $0 += 1
                return $0
            })
    }

    /// A call cancelled by a revocation: no longer in flight, no status to count.
    func callCancelled() {
        apiInFlight.record(
            inFlight.withLock {
                $0 -= 1
                return $0
            })
    }

    /// `cardgenius_member_starved`: 1 while the member owns partitions but no share.
    func starved(_ starved: Bool) {
        starvedGauge.record(starved ? 1 : 0)
    }

    /// API calls in flight now.
    var callsInFlight: Int { inFlight.withLock { $0 } }

    func callFinished(_ outcome: CallOutcome) {
        apiInFlight.record(
            inFlight.withLock {
                $0 -= 1
                return $0
            })
        counter("cardgenius_api_calls_total", "status", Self.statusClass(outcome)).increment()
        apiLatency.recordNanoseconds(
            outcome.latency.components.seconds * 1_000_000_000
                + outcome.latency.components.attoseconds / 1_000_000_000)
    }

    /// `2xx`, `429`, `4xx`, `5xx`, `timeout` or `network`.
    static func statusClass(_ outcome: CallOutcome) -> String {
        if let status = outcome.httpStatus {
            if status == 429 { return "429" }
            if outcome.kind == .success { return "2xx" }
            return "\(status / 100)xx"
        }
        if let failure = outcome.failure, failure.code == .timeout { return "timeout" }
        return "network"
    }

    /// What is left of the member-wide hold CardGenius imposed with `Retry-After`.
    func apiHold(_ remaining: Duration) {
        apiHoldSeconds.record(Double(remaining.components.seconds) + Double(remaining.components.attoseconds) / 1e18)
    }

    func retry() { retries.increment() }
    func rebalance() { rebalances.increment() }
    func kafkaError() { kafkaErrors.increment() }

    func recordLatency(_ d: Duration) {
        recordLatency.recordNanoseconds(d.components.seconds * 1_000_000_000 + d.components.attoseconds / 1_000_000_000)
    }

    /// Partitions whose fetch the member restarted (see ``RecommendationPipeline/checkFetching()``).
    func fetchRestarted(_ partitions: Int) {
        fetchRestarts.increment(by: partitions)
    }

    func breakerState(_ state: CircuitBreaker.State) {
        circuit.record(state == .closed ? 0 : state == .halfOpen ? 1 : 2)
    }

    func share(_ share: BudgetShare, rateEnabled: Bool) {
        concurrencyShare.record(share.maxInFlight)
        rateShare.record(rateEnabled ? share.ratePerSecond : 0)
    }

    func committed(_ offsets: [KafkaPartitionOffset]) {
        for o in offsets {
            Gauge(
                label: "cardgenius_committed_offset",
                dimensions: [("topic", o.topicPartition.topic), ("partition", String(o.topicPartition.partition))]
            )
            .record(o.offset)
        }
    }

    func update(state: (buffered: Int, active: Int), limiter: (limit: Int, inFlight: Int, ceiling: Int, peak: Int)) {
        buffered.record(state.buffered)
        recordsInProgress.record(state.active)
        concurrencyLimit.record(limiter.limit)
    }
}

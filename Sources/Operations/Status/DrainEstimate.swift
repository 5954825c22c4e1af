/// How long a backlog takes to drain: lag ÷ min(rate budget, workers ÷ latency), the
/// pipeline's throughput model (see `cardgenius plan`).
package struct DrainEstimate: Sendable, Hashable {
    /// A figure and where it came from (a flag, the settings, a member's metrics, a default).
    package struct Figure<Value: Sendable & Hashable>: Sendable, Hashable {
        package var value: Value
        package var source: String
        package init(_ value: Value, source: String) {
            self.value = value
            self.source = source
        }
    }

    /// Records to process.
    package var lag: Int64
    /// Calls per second the group may make; `.infinity` when the rate limit is off.
    package var rate: Figure<Double>
    /// Calls in flight for the whole group.
    package var workers: Figure<Int>
    /// Mean API latency, seconds.
    package var latencySeconds: Figure<Double>

    package init(lag: Int64, rate: Figure<Double>, workers: Figure<Int>, latencySeconds: Figure<Double>) {
        self.lag = lag
        self.rate = rate
        self.workers = workers
        self.latencySeconds = latencySeconds
    }

    /// Records per second: min(rate, workers ÷ latency).
    package var throughput: Double {
        let byWorkers = latencySeconds.value > 0 ? Double(workers.value) / latencySeconds.value : .infinity
        return min(rate.value, byWorkers)
    }

    /// Which budget limits the throughput.
    package var limitedBy: String {
        let byWorkers = latencySeconds.value > 0 ? Double(workers.value) / latencySeconds.value : .infinity
        return rate.value <= byWorkers ? "rate" : "workers"
    }

    /// Seconds to drain; 0 without lag, infinite when the throughput is 0.
    package var seconds: Double {
        guard lag > 0 else { return 0 }
        let t = throughput
        if t == .infinity { return 0 }
        guard t > 0 else { return .infinity }
        return Double(lag) / t
    }

    /// Whether the backlog drains by `deadlineMs` when starting at `nowMs`, and the margin
    /// (positive: time left over; negative: how much too late), in seconds.
    package func drains(nowMs: Int64, beforeMs deadlineMs: Int64) -> (drains: Bool, marginSeconds: Double) {
        let available = Double(deadlineMs - nowMs) / 1000
        let margin = available - seconds
        return (margin >= 0, margin)
    }
}

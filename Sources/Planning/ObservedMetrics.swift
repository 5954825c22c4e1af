/// What a running member has measured, read from its Prometheus metrics:
/// API latency (mean and p95) from the histogram `cardgenius_api_latency_seconds` and the
/// error rate from the counter `cardgenius_api_calls_total{status="..."}`.
///
/// Series of the same metric with different labels (other than `le`) are added up, so an
/// exposition with, say, one latency series per member or endpoint gives the group figure.
package struct ObservedMetrics: Sendable, Equatable, Codable {
    /// The latency histogram's name.
    package static let latencyMetric = "cardgenius_api_latency_seconds"
    /// The API call counter's name.
    package static let callsMetric = "cardgenius_api_calls_total"

    /// Where the metrics came from (a URL, or `text`).
    package var source: String
    /// Calls in the latency histogram (`_count`).
    package var latencyCount: Double
    /// Mean latency, `_sum / _count`; nil without observations.
    package var meanLatencySeconds: Double?
    /// 95th-percentile latency from the buckets by linear interpolation; nil without buckets.
    package var p95LatencySeconds: Double?
    /// API calls by `status` label (`2xx`, `429`, `5xx`, `timeout`, ...).
    package var callsByStatus: [String: Double]
    /// All API calls counted.
    package var totalCalls: Double
    /// Non-2xx calls ÷ all calls; nil when no call was counted.
    package var errorRate: Double?

    /// Reads the figures out of parsed samples.
    package init(samples: [PrometheusSample], source: String) {
        self.source = source
        let latencyName = Self.latencyMetric

        var bucketCounts: [Double: Double] = [:]
        var sum = 0.0
        var count = 0.0
        var sawSum = false
        var sawCount = false
        var callsByStatus: [String: Double] = [:]
        for sample in samples where !sample.value.isNaN {
            switch sample.name {
            case latencyName + "_bucket":
                guard let le = sample.labels["le"].flatMap({ PrometheusText.parseValue(Substring($0)) }), !le.isNaN else { continue }
                bucketCounts[le, default: 0] += sample.value
            case latencyName + "_sum":
                sum += sample.value
                sawSum = true
            case latencyName + "_count":
                count += sample.value
                sawCount = true
            case Self.callsMetric:
                callsByStatus[sample.labels["status"] ?? "", default: 0] += sample.value
            default:
                continue
            }
        }
        let buckets = bucketCounts.sorted { $0.key < $1.key }.map { (upperBound: $0.key, count: $0.value) }
        if !sawCount, let inf = bucketCounts[.infinity] {
            count = inf
            sawCount = true
        }

        latencyCount = count
        meanLatencySeconds = (sawSum && sawCount && count > 0 && sum.isFinite) ? sum / count : nil
        p95LatencySeconds = Self.quantile(0.95, buckets: buckets)
        self.callsByStatus = callsByStatus
        let total = callsByStatus.values.reduce(0, +)
        totalCalls = total
        let failures = callsByStatus.filter { !$0.key.hasPrefix("2") }.values.reduce(0, +)
        errorRate = total > 0 ? failures / total : nil
    }

    /// Parses an exposition and reads the figures out of it.
    package init(exposition: String, source: String) throws(PlanningError) {
        self.init(samples: try PrometheusText.parse(exposition), source: source)
    }

    /// The `q` quantile of a cumulative histogram, as Prometheus's `histogram_quantile`
    /// computes it: find the bucket holding rank `q × total`, interpolate linearly between
    /// its lower and upper bound (the first bucket's lower bound is 0 when its upper bound is
    /// positive). A rank in the `+Inf` bucket gives the highest finite bound. Nil when there
    /// are no observations or no `+Inf` bucket.
    ///
    /// - Parameter buckets: `(upperBound, cumulativeCount)` pairs, any order.
    package static func quantile(_ q: Double, buckets: [(upperBound: Double, count: Double)]) -> Double? {
        guard q.isFinite, (0...1).contains(q) else { return nil }
        var sorted = buckets.filter { !$0.upperBound.isNaN && $0.count.isFinite }.sorted { $0.upperBound < $1.upperBound }
        guard let last = sorted.last, last.upperBound == .infinity else { return nil }
        // Cumulative counts must not decrease; a scrape caught mid-update can break that.
        for i in sorted.indices.dropFirst() where sorted[i].count < sorted[i - 1].count {
            sorted[i].count = sorted[i - 1].count
        }
        let total = last.count
        guard total > 0 else { return nil }
        let rank = q * total
        var previousBound = 0.0
        var previousCount = 0.0
        for (i, bucket) in sorted.enumerated() {
            if bucket.count >= rank, bucket.count > previousCount || rank == 0 {
                if bucket.upperBound == .infinity {
                    return i > 0 ? sorted[i - 1].upperBound : nil
                }
                let lower = i == 0 ? (bucket.upperBound > 0 ? 0 : bucket.upperBound) : previousBound
                let inBucket = bucket.count - previousCount
                guard inBucket > 0 else { return bucket.upperBound }
                return lower + (bucket.upperBound - lower) * (rank - previousCount) / inBucket
            }
            previousBound = bucket.upperBound
            previousCount = bucket.count
        }
        return nil
    }
}

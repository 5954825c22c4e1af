import Metrics
import Prometheus
import Synchronization

/// Sets up swift-metrics once per process with swift-prometheus as its backend, and keeps
/// the registry `GET /metrics` renders.
enum MetricsBootstrap {
    private static let registry = Mutex<PrometheusCollectorRegistry?>(nil)

    /// Buckets for the API call and record latency histograms: 50 ms to 30 s, so p50, p95
    /// and p99 come out of `histogram_quantile` in PromQL.
    static let latencyBuckets: [Duration] = [
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
        .milliseconds(1500), .seconds(2), .seconds(3), .seconds(5), .milliseconds(7500), .seconds(10),
        .seconds(15), .seconds(20), .seconds(30),
    ]

    /// Buckets for output delivery (API answer to Kafka delivery report): 1 ms to 10 s.
    static let deliveryBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
        .milliseconds(2500), .seconds(5), .seconds(10),
    ]

    /// Bootstraps the metrics system on the first call; every call returns the registry.
    /// Call it before creating the pipelines: metrics made earlier go nowhere.
    static func once() -> PrometheusCollectorRegistry {
        registry.withLock { stored in
            if let stored { return stored }
            let registry = PrometheusCollectorRegistry()
            var factory = PrometheusMetricsFactory(registry: registry)
            factory.durationHistogramBuckets = [
                "cardgenius_api_latency_seconds": latencyBuckets,
                "cardgenius_record_duration_seconds": latencyBuckets,
                "cardgenius_output_delivery_seconds": deliveryBuckets,
            ]
            MetricsSystem.bootstrap(factory)
            stored = registry
            return registry
        }
    }
}

/// The typed configuration of the cardgenius service.
///
/// Every field has a default (``ServiceSettings/defaults``). A configuration
/// file, `CARDGENIUS_*` environment variables and command-line overrides are
/// layered on top by ``ServiceSettings/load(file:environment:overrides:)``,
/// which also validates every value.
///
/// The JSON names of the fields are the snake_case names documented in
/// `docs/configuration.md` (for example `processing.max_workers`).
///
/// `description` never shows secrets: Kafka properties that look like
/// credentials are rendered as `"***"` (see ``ServiceSettings/isSecretProperty(_:)``).
package struct ServiceSettings: Sendable, Equatable {
    /// Kafka connection, topics and consumer group (`kafka.*`).
    package struct Kafka: Sendable, Equatable {
        /// `kafka.bootstrap_servers`: comma-separated `host:port` list.
        package var bootstrapServers: String = "localhost:9092"
        /// `kafka.input_topic`: the topic user-spend records are read from.
        package var inputTopic: String = "user-spends"
        /// `kafka.output_topic`: the topic recommendations are published to.
        package var outputTopic: String = "card-recommendations"
        /// `kafka.dlq_topic`: the dead-letter topic for records that cannot be processed.
        package var dlqTopic: String = "user-spends.dlq"
        /// `kafka.group_id`: the consumer group id.
        package var groupID: String = "cardgenius-recommenders"
        /// `kafka.group_instance_id`: this member's static identity in the group (librdkafka's
        /// `group.instance.id`, e.g. the pod name); empty for a dynamic member. A static member
        /// restarted within `session.timeout.ms` gets its partitions back without a rebalance.
        package var groupInstanceID: String = ""
        /// `kafka.output_compression`: the codec of the records published to the output and
        /// dead-letter topics (`lz4`, `zstd` or `none`; librdkafka's `compression.codec`).
        package var outputCompression: String = "lz4"
        /// `kafka.group_protocol`: the consumer group protocol (librdkafka's `group.protocol`):
        /// `classic` (JoinGroup/SyncGroup, the member's own session, heartbeat and assignor) or
        /// `consumer` (KIP-848, Kafka >= 4.0 and librdkafka >= 2.12: the broker assigns
        /// partitions incrementally and owns the session and heartbeat timing).
        package var groupProtocol: String = "classic"
        /// `kafka.properties`: raw librdkafka properties (`security.protocol`, `sasl.*`, `ssl.*`, ...),
        /// applied after the ones the service sets itself. May contain secrets.
        package var properties: [String: String] = [:]

        /// Creates Kafka settings with the defaults.
        package init() {}
    }

    /// The CardGenius recommendation API client (`api.*`).
    package struct API: Sendable, Equatable {
        /// Retry policy for failed requests (`api.retry.*`).
        package struct Retry: Sendable, Equatable {
            /// `api.retry.max_attempts`: attempts per record including the first one (1...100).
            package var maxAttempts: Int = 3
            /// `api.retry.base_delay_ms`: the first backoff delay in milliseconds (>= 0).
            package var baseDelayMilliseconds: Int = 500
            /// `api.retry.max_delay_ms`: the cap on the backoff delay in milliseconds (>= base).
            package var maxDelayMilliseconds: Int = 30_000

            /// Creates a retry policy with the defaults.
            package init() {}

            /// ``baseDelayMilliseconds`` as a `Duration`.
            package var baseDelay: Duration { .milliseconds(baseDelayMilliseconds) }
            /// ``maxDelayMilliseconds`` as a `Duration`.
            package var maxDelay: Duration { .milliseconds(maxDelayMilliseconds) }
        }

        /// Client-side rate limit (token bucket) for API calls (`api.rate_limit.*`).
        package struct RateLimit: Sendable, Equatable {
            /// `api.rate_limit.enabled`: whether calls are rate-limited at all.
            package var enabled: Bool = true
            /// `api.rate_limit.requests_per_second`: sustained rate (finite, > 0 when enabled).
            package var requestsPerSecond: Double = 10
            /// `api.rate_limit.burst`: bucket size (>= 1).
            package var burst: Int = 20

            /// Creates a rate limit with the defaults.
            package init() {}
        }

        /// `api.url`: the recommendation endpoint (http or https).
        package var url: String = "https://card-recommendation-api-v2.bankkaro.com/cg/api/pro"
        /// `api.user_agent`: the `User-Agent` header sent with each request.
        package var userAgent: String = "CardGenius-Batch-Runner/1.0"
        /// `api.connect_timeout_s`: connect timeout in seconds (> 0).
        package var connectTimeoutSeconds: Double = 30
        /// `api.request_timeout_s`: whole-request timeout in seconds (> 0).
        package var requestTimeoutSeconds: Double = 30
        /// `api.retry`: the retry policy.
        package var retry = Retry()
        /// `api.rate_limit`: the client-side rate limit.
        package var rateLimit = RateLimit()

        /// Creates API settings with the defaults.
        package init() {}

        /// ``connectTimeoutSeconds`` as a `Duration`.
        package var connectTimeout: Duration { .seconds(connectTimeoutSeconds) }
        /// ``requestTimeoutSeconds`` as a `Duration`.
        package var requestTimeout: Duration { .seconds(requestTimeoutSeconds) }
    }

    /// Record processing (`processing.*`).
    package struct Processing: Sendable, Equatable {
        /// `processing.max_workers`: records in flight at once per process (1...``maxWorkersLimit``).
        package var maxWorkers: Int = 20
        /// The largest `processing.max_workers` accepted, at start-up or by a live retune (the
        /// member's HTTP connection pool is sized for it, so a raise is never queued there).
        package static let maxWorkersLimit = 1000
        /// `processing.drain_timeout_s`: how long shutdown waits for in-flight records, in seconds (> 0).
        package var drainTimeoutSeconds: Double = 30
        /// `processing.commit_interval_ms`: how often consumer offsets are committed, in milliseconds (>= 1).
        package var commitIntervalMilliseconds: Int = 1000
        /// `processing.stall_timeout_s`: a member with lag that completes nothing for this long
        /// (while not held by the API) reports itself not ready, in seconds (> 0).
        package var stallTimeoutSeconds: Double = 120

        /// Creates processing settings with the defaults.
        package init() {}

        /// ``drainTimeoutSeconds`` as a `Duration`.
        package var drainTimeout: Duration { .seconds(drainTimeoutSeconds) }
        /// ``commitIntervalMilliseconds`` as a `Duration`.
        package var commitInterval: Duration { .milliseconds(commitIntervalMilliseconds) }
        /// ``stallTimeoutSeconds`` as a `Duration`.
        package var stallTimeout: Duration { .milliseconds(Int64(stallTimeoutSeconds * 1000)) }
    }

    /// The Prometheus metrics endpoint (`metrics.*`).
    package struct Metrics: Sendable, Equatable {
        /// `metrics.port`: TCP port of the `/metrics` endpoint (0...65535; 0 disables it).
        package var port: Int = 9464

        /// Creates metrics settings with the defaults.
        package init() {}
    }

    /// `kafka`: Kafka connection, topics and consumer group.
    package var kafka = Kafka()
    /// `api`: the CardGenius API client.
    package var api = API()
    /// `processing`: record processing.
    package var processing = Processing()
    /// `metrics`: the metrics endpoint.
    package var metrics = Metrics()

    /// Creates settings with every field at its default.
    package init() {}

    /// Every field at its default; what an empty configuration file yields.
    package static let defaults = ServiceSettings()
}

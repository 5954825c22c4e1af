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
public struct ServiceSettings: Sendable, Equatable {
    /// Kafka connection, topics and consumer group (`kafka.*`).
    public struct Kafka: Sendable, Equatable {
        /// `kafka.bootstrap_servers`: comma-separated `host:port` list.
        public var bootstrapServers: String = "localhost:9092"
        /// `kafka.input_topic`: the topic user-spend records are read from.
        public var inputTopic: String = "user-spends"
        /// `kafka.output_topic`: the topic recommendations are published to.
        public var outputTopic: String = "card-recommendations"
        /// `kafka.dlq_topic`: the dead-letter topic for records that cannot be processed.
        public var dlqTopic: String = "user-spends.dlq"
        /// `kafka.group_id`: the consumer group id.
        public var groupID: String = "cardgenius-recommenders"
        /// `kafka.group_instance_id`: this member's static identity in the group (librdkafka's
        /// `group.instance.id`, e.g. the pod name); empty for a dynamic member. A static member
        /// restarted within `session.timeout.ms` gets its partitions back without a rebalance.
        public var groupInstanceID: String = ""
        /// `kafka.output_compression`: the codec of the records published to the output and
        /// dead-letter topics (`lz4`, `zstd` or `none`; librdkafka's `compression.codec`).
        public var outputCompression: String = "lz4"
        /// `kafka.group_protocol`: the consumer group protocol (librdkafka's `group.protocol`):
        /// `classic` (JoinGroup/SyncGroup, the member's own session, heartbeat and assignor) or
        /// `consumer` (KIP-848, Kafka >= 4.0 and librdkafka >= 2.12: the broker assigns
        /// partitions incrementally and owns the session and heartbeat timing).
        public var groupProtocol: String = "classic"
        /// `kafka.properties`: raw librdkafka properties (`security.protocol`, `sasl.*`, `ssl.*`, ...),
        /// applied after the ones the service sets itself. May contain secrets.
        public var properties: [String: String] = [:]

        /// Creates Kafka settings with the defaults.
        public init() {}
    }

    /// The CardGenius recommendation API client (`api.*`).
    public struct API: Sendable, Equatable {
        /// Retry policy for failed requests (`api.retry.*`).
        public struct Retry: Sendable, Equatable {
            /// `api.retry.max_attempts`: attempts per record including the first one (1...100).
            public var maxAttempts: Int = 3
            /// `api.retry.base_delay_ms`: the first backoff delay in milliseconds (>= 0).
            public var baseDelayMilliseconds: Int = 500
            /// `api.retry.max_delay_ms`: the cap on the backoff delay in milliseconds (>= base).
            public var maxDelayMilliseconds: Int = 30_000

            /// Creates a retry policy with the defaults.
            public init() {}

            /// ``baseDelayMilliseconds`` as a `Duration`.
            public var baseDelay: Duration { .milliseconds(baseDelayMilliseconds) }
            /// ``maxDelayMilliseconds`` as a `Duration`.
            public var maxDelay: Duration { .milliseconds(maxDelayMilliseconds) }
        }

        /// Client-side rate limit (token bucket) for API calls (`api.rate_limit.*`).
        public struct RateLimit: Sendable, Equatable {
            /// `api.rate_limit.enabled`: whether calls are rate-limited at all.
            public var enabled: Bool = true
            /// `api.rate_limit.requests_per_second`: sustained rate (finite, > 0 when enabled).
            public var requestsPerSecond: Double = 10
            /// `api.rate_limit.burst`: bucket size (>= 1).
            public var burst: Int = 20

            /// Creates a rate limit with the defaults.
            public init() {}
        }

        /// `api.url`: the recommendation endpoint (http or https).
        public var url: String = "https://card-recommendation-api-v2.bankkaro.com/cg/api/pro"
        /// `api.user_agent`: the `User-Agent` header sent with each request.
        public var userAgent: String = "CardGenius-Batch-Runner/1.0"
        /// `api.connect_timeout_s`: connect timeout in seconds (> 0).
        public var connectTimeoutSeconds: Double = 30
        /// `api.request_timeout_s`: whole-request timeout in seconds (> 0).
        public var requestTimeoutSeconds: Double = 30
        /// `api.retry`: the retry policy.
        public var retry = Retry()
        /// `api.rate_limit`: the client-side rate limit.
        public var rateLimit = RateLimit()

        /// Creates API settings with the defaults.
        public init() {}

        /// ``connectTimeoutSeconds`` as a `Duration`.
        public var connectTimeout: Duration { .seconds(connectTimeoutSeconds) }
        /// ``requestTimeoutSeconds`` as a `Duration`.
        public var requestTimeout: Duration { .seconds(requestTimeoutSeconds) }
    }

    /// Record processing (`processing.*`).
    public struct Processing: Sendable, Equatable {
        /// `processing.max_workers`: records in flight at once per process (1...``maxWorkersLimit``).
        public var maxWorkers: Int = 20
        /// The largest `processing.max_workers` accepted, at start-up or by a live retune (the
        /// member's HTTP connection pool is sized for it, so a raise is never queued there).
        public static let maxWorkersLimit = 1000
        /// `processing.drain_timeout_s`: how long shutdown waits for in-flight records, in seconds (> 0).
        public var drainTimeoutSeconds: Double = 30
        /// `processing.commit_interval_ms`: how often consumer offsets are committed, in milliseconds (>= 1).
        public var commitIntervalMilliseconds: Int = 1000
        /// `processing.stall_timeout_s`: a member with lag that completes nothing for this long
        /// (while not held by the API) reports itself not ready, in seconds (> 0).
        public var stallTimeoutSeconds: Double = 120

        /// Creates processing settings with the defaults.
        public init() {}

        /// ``drainTimeoutSeconds`` as a `Duration`.
        public var drainTimeout: Duration { .seconds(drainTimeoutSeconds) }
        /// ``commitIntervalMilliseconds`` as a `Duration`.
        public var commitInterval: Duration { .milliseconds(commitIntervalMilliseconds) }
        /// ``stallTimeoutSeconds`` as a `Duration`.
        public var stallTimeout: Duration { .milliseconds(Int64(stallTimeoutSeconds * 1000)) }
    }

    /// The Prometheus metrics endpoint (`metrics.*`).
    public struct Metrics: Sendable, Equatable {
        /// `metrics.port`: TCP port of the `/metrics` endpoint (0...65535; 0 disables it).
        public var port: Int = 9464

        /// Creates metrics settings with the defaults.
        public init() {}
    }

    /// `kafka`: Kafka connection, topics and consumer group.
    public var kafka = Kafka()
    /// `api`: the CardGenius API client.
    public var api = API()
    /// `processing`: record processing.
    public var processing = Processing()
    /// `metrics`: the metrics endpoint.
    public var metrics = Metrics()

    /// Creates settings with every field at its default.
    public init() {}

    /// Every field at its default; what an empty configuration file yields.
    public static let defaults = ServiceSettings()
}

import CardGenius
import Settings

/// Everything a pipeline member needs to know, as typed values with defaults.
public struct PipelineConfiguration: Sendable {
    /// The topic user-spend records are read from.
    public var inputTopic: String = "user-spends"
    /// The topic recommendations are written to.
    public var outputTopic: String = "card-recommendations"
    /// The dead-letter topic.
    public var deadLetterTopic: String = "user-spends.dlq"
    /// The group-wide concurrency budget (API calls in flight for the whole group).
    public var maxWorkers: Int = 20
    /// Whether the group-wide rate budget applies.
    public var rateLimitEnabled: Bool = true
    /// The group-wide rate budget, calls per second.
    public var requestsPerSecond: Double = 10
    /// The group-wide burst.
    public var burst: Double = 20
    /// Retries of one record.
    public var retry: RetryPolicy = RetryPolicy()
    /// How long in-flight work may take to finish on revoke and shutdown.
    public var drainTimeout: Duration = .seconds(30)
    /// How often watermarks are committed.
    public var commitInterval: Duration = .seconds(1)
    /// The circuit breaker's tuning.
    public var breaker: CircuitBreaker.Configuration = .init()
    /// Records held per partition, not yet started, before its fetching is paused.
    public var maxBufferedPerPartition: Int = 200
    /// A member that owns partitions with lag, is not held by the circuit breaker or a
    /// `Retry-After`, and completes nothing for this long reports itself not ready.
    public var stallTimeout: Duration = .seconds(120)
    /// An owned partition behind its high watermark, not paused by the member, that
    /// delivers nothing for this long has its fetch restarted (librdkafka 2.0.2 can drop a
    /// partition's fetch start and then never fetch it).
    public var fetchStallTimeout: Duration = .seconds(15)
    /// End the member once its partitions are read to the end and nothing has been in
    /// flight for this long (weekly batch jobs); `nil` runs until stopped.
    public var exitWhenIdle: Duration? = nil

    public init() {}

    /// The pipeline part of the service settings.
    public init(settings: ServiceSettings) {
        inputTopic = settings.kafka.inputTopic
        outputTopic = settings.kafka.outputTopic
        deadLetterTopic = settings.kafka.dlqTopic
        maxWorkers = settings.processing.maxWorkers
        rateLimitEnabled = settings.api.rateLimit.enabled
        requestsPerSecond = settings.api.rateLimit.requestsPerSecond
        burst = Double(settings.api.rateLimit.burst)
        retry = RetryPolicy(maxAttempts: settings.api.retry.maxAttempts,
                            baseDelay: settings.api.retry.baseDelay, maxDelay: settings.api.retry.maxDelay)
        drainTimeout = settings.processing.drainTimeout
        commitInterval = settings.processing.commitInterval
        stallTimeout = settings.processing.stallTimeout
    }
}

import CardGenius
import Settings

/// Everything a pipeline member needs to know, as typed values. The values that are
/// settings start at the settings' defaults (``ServiceSettings/defaults``, where each is
/// written once); the others have their defaults here.
package struct PipelineConfiguration: Sendable {
    /// The topic user-spend records are read from.
    package var inputTopic: String
    /// The topic recommendations are written to.
    package var outputTopic: String
    /// The dead-letter topic.
    package var deadLetterTopic: String
    /// The group-wide concurrency budget (API calls in flight for the whole group).
    package var maxWorkers: Int
    /// Whether the group-wide rate budget applies.
    package var rateLimitEnabled: Bool
    /// The group-wide rate budget, calls per second.
    package var requestsPerSecond: Double
    /// The group-wide burst.
    package var burst: Double
    /// Retries of one record.
    package var retry: RetryPolicy
    /// How long in-flight work may take to finish on revoke and shutdown.
    package var drainTimeout: Duration
    /// How often watermarks are committed.
    package var commitInterval: Duration
    /// The circuit breaker's tuning.
    package var breaker: CircuitBreaker.Configuration = .init()
    /// Records held per partition, not yet started, before its fetching is paused.
    package var maxBufferedPerPartition: Int = 200
    /// A member that owns partitions with lag, is not held by the circuit breaker or a
    /// `Retry-After`, and completes nothing for this long reports itself not ready.
    package var stallTimeout: Duration
    /// An owned partition behind its high watermark, not paused by the member, that
    /// delivers nothing for this long has its fetch restarted (librdkafka 2.0.2 can drop a
    /// partition's fetch start and then never fetch it).
    package var fetchStallTimeout: Duration = .seconds(15)
    /// End the member once its partitions are read to the end and nothing has been in
    /// flight for this long (weekly batch jobs); `nil` runs until stopped.
    package var exitWhenIdle: Duration? = nil

    /// The pipeline part of the default settings.
    package init() { self.init(settings: .defaults) }

    /// The pipeline part of the service settings.
    package init(settings: ServiceSettings) {
        inputTopic = settings.kafka.inputTopic
        outputTopic = settings.kafka.outputTopic
        deadLetterTopic = settings.kafka.dlqTopic
        maxWorkers = settings.processing.maxWorkers
        rateLimitEnabled = settings.api.rateLimit.enabled
        requestsPerSecond = settings.api.rateLimit.requestsPerSecond
        burst = Double(settings.api.rateLimit.burst)
        retry = RetryPolicy(
            maxAttempts: settings.api.retry.maxAttempts,
            baseDelay: settings.api.retry.baseDelay, maxDelay: settings.api.retry.maxDelay)
        drainTimeout = settings.processing.drainTimeout
        commitInterval = settings.processing.commitInterval
        stallTimeout = settings.processing.stallTimeout
    }
}

import ArgumentParser
import Configuration
import Foundation
import Logging
import Pipeline
import ServiceLifecycle
import Settings

/// `cardgenius consume`: one member of the recommendation consumer group.
struct ConsumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consume",
        abstract: "Run one member of the consumer group: records in, recommendations and dead letters out.",
        discussion: """
        The budgets (--max-workers, --rate, --burst) are for the whole group: each member takes the \
        share of the partitions it owns. SIGTERM/SIGINT drains in-flight work, commits and leaves \
        the group. SIGHUP, or a change of the configuration file (--config or $CARDGENIUS_CONFIG, \
        read every second; a mounted ConfigMap's symlink swap included), reloads the configuration \
        and applies processing.max_workers and api.rate_limit.* at once. GET /metrics, /healthz \
        and /readyz are served on --metrics-port (metrics.port; 0 disables them). \
        kafka.group_instance_id makes the member a static group member.

        A fault the member cannot handle (a topic that refuses its writes for good, a fatal \
        producer or consumer error) ends it with exit status 1 and one Error: line, after it \
        committed what was complete and left the group.
        """
    )

    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: "Consumer group id (kafka.group_id).")
    var group: String?

    @OptionGroup var budget: BudgetOptions

    @Option(name: .long, help: ArgumentHelp("End once the partitions are read to their end and nothing is in flight for this long.", valueName: "SECONDS"))
    var exitWhenIdle: Double?

    @Option(name: .long, help: ArgumentHelp("Circuit breaker: consecutive failures that open it.", valueName: "N"))
    var breakerThreshold: Int?

    @Option(name: .long, help: ArgumentHelp("Circuit breaker: first open period.", valueName: "MS"))
    var breakerOpenMs: Int?

    @Option(name: .long, help: ArgumentHelp("Port of GET /metrics, /healthz and /readyz (metrics.port; 0 disables).", valueName: "PORT"))
    var metricsPort: Int?

    @Option(name: .long, help: ArgumentHelp("Off a terminal, log progress this often.", valueName: "SECONDS"))
    var progressInterval: Double = 10

    func validate() throws {
        if !(progressInterval > 0) { throw ValidationError("--progress-interval must be > 0 seconds") }
        if let exitWhenIdle, !(exitWhenIdle >= 0) { throw ValidationError("--exit-when-idle must be >= 0 seconds") }
        if let breakerThreshold, breakerThreshold < 1 { throw ValidationError("--breaker-threshold must be >= 1") }
        if let breakerOpenMs, breakerOpenMs < 1 { throw ValidationError("--breaker-open-ms must be >= 1") }
    }

    var overrides: [String: ConfigContent] {
        var o = budget.overrides
        if let group { o["kafka.group_id"] = .string(group) }
        if let metricsPort { o["metrics.port"] = .int(metricsPort) }
        return o
    }

    func run() async throws {
        let logger = common.logging.makeLogger("cardgenius.consume")
        let settingsWatcher = try await common.settingsWatcher(overrides: overrides, logger: logger)
        let settings = settingsWatcher.initial
        let started = ContinuousClock.now
        let registry = settings.metrics.port > 0 ? MetricsBootstrap.once() : nil
        let onMockCluster = await MemberAssembly.isMockCluster(settings: settings, logger: logger)
        let member = try MemberAssembly(
            settings: settings, exitWhenIdle: exitWhenIdle.map { .milliseconds(Int($0 * 1000)) }, onMockCluster: onMockCluster,
            tuning: { config in
                if let breakerThreshold { config.breaker.failureThreshold = breakerThreshold }
                if let breakerOpenMs { config.breaker.openDuration = .milliseconds(breakerOpenMs) }
            }, logger: logger)
        // Shut down in reverse order: stop reloading, drain the member, then stop reporting.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let registry {
            services.append(.init(service: MetricsServer(port: settings.metrics.port, registry: registry,
                                                         pipelines: [member.pipeline], logger: logger)))
        }
        services.append(.init(service: ConsumeProgress(pipeline: member.pipeline,
                                                       interval: .milliseconds(Int(progressInterval * 1000)), logger: logger)))
        services.append(.init(service: member.pipeline, successTerminationBehavior: .gracefullyShutdownGroup))
        services.append(.init(service: settingsWatcher))
        services.append(.init(service: ConfigReloader(pipeline: member.pipeline, settings: settingsWatcher, logger: logger)))
        let group = ServiceGroup(configuration: .init(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            if let failure = error as? PipelineError, failure.code == .consumerFatal, !settings.kafka.groupInstanceID.isEmpty,
               failure.message.localizedCaseInsensitiveContains("fenced")
                || failure.message.localizedCaseInsensitiveContains("instance ID is still used") {
                // The broker gave this static member's id to a newer member (librdkafka: "Static
                // consumer fenced by other consumer with same group.instance.id"), or, under the
                // consumer protocol, refused this newer member the id a running one holds
                // (UNRELEASED_INSTANCE_ID: "The instance ID is still used by another member").
                logger.critical("fenced: kafka.group_instance_id \"\(settings.kafka.groupInstanceID)\" is used by another running member of group \(settings.kafka.groupID); every running member needs its own id (on Kubernetes: the StatefulSet's pod name)")
            }
            await member.close()
            throw error
        }
        await member.close()
        let s = member.pipeline.statistics.snapshot
        print("consumed \(s.taken) records: \(s.ok) recommended, \(s.deadLetters.values.reduce(0, +)) dead-lettered, \(s.skipped) skipped; \(s.calls) API calls, \(s.retries) retries")
        // The budgets in force at the end (SIGHUP may have changed them).
        var final = settings
        let budgets = member.pipeline.currentBudgets
        final.processing.maxWorkers = budgets.maxWorkers
        final.api.rateLimit.requestsPerSecond = budgets.rate
        final.api.rateLimit.enabled = budgets.rateEnabled
        print(RunSummary(pipelines: [member.pipeline], collector: nil, total: s.taken, elapsed: ContinuousClock.now - started,
                         settings: final, simulator: nil).render())
    }
}

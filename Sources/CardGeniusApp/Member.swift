import Foundation
import Logging
import Pipeline
import ServiceLifecycle
import Settings
import UnixSignals

/// One member of the recommendation consumer group, the application behind `consume`: the
/// pipeline, the operators' endpoint (`/metrics` with the process's own figures, `/healthz`,
/// `/readyz`), the progress reports and the configuration reload (SIGHUP, and the
/// configuration file when there is one) as `Service`s in one `ServiceGroup`.
///
/// `try await Member(settings:options:logger:)` connects the clients; ``run()`` runs until
/// the pipeline ends (idle, a fault) or a graceful shutdown (one of
/// ``Options/shutdownSignals``, or ``stop()``), drains, closes the clients and says what the
/// member did.
package final class Member: Sendable {
    /// How the member runs, beyond its settings.
    package struct Options: Sendable {
        /// End once the partitions are read to their end and nothing is in flight for this long.
        package var exitWhenIdle: Duration?
        /// Circuit breaker: consecutive failures that open it (nil: the pipeline's default).
        package var breakerThreshold: Int?
        /// Circuit breaker: the first open period (nil: the pipeline's default).
        package var breakerOpenDuration: Duration?
        /// Off a terminal, how often progress is logged.
        package var progressInterval: Duration = .seconds(10)
        /// The settings' reloads (the configuration file changed, or SIGHUP), whose budgets
        /// the member applies.
        package var settings: SettingsWatcher
        /// The signals that start a graceful shutdown (none for a member embedded in a process
        /// that handles its own).
        package var shutdownSignals: [UnixSignal] = [.sigterm, .sigint]

        package init(settings: SettingsWatcher) { self.settings = settings }
    }

    /// What the member did, once it stopped.
    package struct Outcome: Sendable {
        /// The pipeline's counts at the end.
        package let statistics: PipelineStatistics.Snapshot
        /// The summary table (the budgets as they were at the end: a reload may have changed them).
        package let summary: String

        /// `consumed N records: … recommended, … dead-lettered, … skipped; … API calls, … retries`
        package var consumedLine: String {
            let s = statistics
            return
                "consumed \(s.taken) records: \(s.ok) recommended, \(s.deadLetters.values.reduce(0, +)) dead-lettered, \(s.skipped) skipped; \(s.calls) API calls, \(s.retries) retries"
        }
    }

    /// The member's pipeline (its health, statistics and budgets).
    package let pipeline: RecommendationPipeline
    private let clients: MemberAssembly
    private let group: ServiceGroup
    private let settings: ServiceSettings
    private let started: ContinuousClock.Instant
    private let logger: Logger

    /// Connects the member's clients and assembles its services; nothing runs until ``run()``.
    package init(settings: ServiceSettings, options: Options, logger: Logger) async throws {
        started = ContinuousClock.now
        self.settings = settings
        self.logger = logger
        let registry = settings.metrics.port > 0 ? MetricsBootstrap.once() : nil
        let onMockCluster = await MemberAssembly.isMockCluster(settings: settings, logger: logger)
        clients = try MemberAssembly(
            settings: settings, exitWhenIdle: options.exitWhenIdle, onMockCluster: onMockCluster,
            tuning: { config in
                if let threshold = options.breakerThreshold { config.breaker.failureThreshold = threshold }
                if let open = options.breakerOpenDuration { config.breaker.openDuration = open }
            }, logger: logger)
        pipeline = clients.pipeline
        // Shut down in reverse order: stop reloading, drain the member, then stop reporting.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let registry {
            services.append(
                .init(
                    service: MetricsServer(
                        port: settings.metrics.port, registry: registry,
                        pipelines: [clients.pipeline], logger: logger)))
        }
        services.append(
            .init(
                service: ConsumeProgress(
                    pipeline: clients.pipeline, interval: options.progressInterval,
                    logger: logger)))
        services.append(.init(service: clients.pipeline, successTerminationBehavior: .gracefullyShutdownGroup))
        services.append(.init(service: options.settings))
        services.append(.init(service: ConfigReloader(pipeline: clients.pipeline, settings: options.settings, logger: logger)))
        group = ServiceGroup(
            configuration: .init(
                services: services, gracefulShutdownSignals: options.shutdownSignals, logger: logger))
    }

    /// Runs the member until it ends or is stopped, then closes its clients. Rethrows the
    /// fault that ended it (after committing what was complete and leaving the group).
    @discardableResult
    package func run() async throws -> Outcome {
        do {
            try await group.run()
        } catch {
            if let failure = error as? PipelineError, failure.code == .consumerFatal, !settings.kafka.groupInstanceID.isEmpty,
                failure.message.localizedCaseInsensitiveContains("fenced")
                    || failure.message.localizedCaseInsensitiveContains("instance ID is still used")
            {
                // The broker gave this static member's id to a newer member (librdkafka: "Static
                // consumer fenced by other consumer with same group.instance.id"), or, under the
                // consumer protocol, refused this newer member the id a running one holds
                // (UNRELEASED_INSTANCE_ID: "The instance ID is still used by another member").
                logger.critical(
                    "fenced: kafka.group_instance_id \"\(settings.kafka.groupInstanceID)\" is used by another running member of group \(settings.kafka.groupID); every running member needs its own id (on Kubernetes: the StatefulSet's pod name)"
                )
            }
            await clients.close()
            throw error
        }
        await clients.close()
        let s = pipeline.statistics.snapshot
        // The budgets in force at the end (SIGHUP may have changed them).
        var final = settings
        let budgets = pipeline.currentBudgets
        final.processing.maxWorkers = budgets.maxWorkers
        final.api.rateLimit.requestsPerSecond = budgets.rate
        final.api.rateLimit.enabled = budgets.rateEnabled
        let summary = RunSummary(
            pipelines: [pipeline], collector: nil, total: s.taken, elapsed: ContinuousClock.now - started,
            settings: final, simulator: nil
        ).render()
        return Outcome(statistics: s, summary: summary)
    }

    /// Starts a graceful shutdown, as SIGTERM does: the member drains, commits and leaves.
    package func stop() async {
        await group.triggerGracefulShutdown()
    }
}

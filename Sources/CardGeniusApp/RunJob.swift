import CardGenius
import Configuration
import Foundation
import Kafka
import Logging
import Pipeline
import ServiceLifecycle
import Settings
import Simulator
import UnixSignals

/// The whole job on one machine, the application behind `run`: the embedded broker and the
/// CardGenius simulator unless the settings name real ones, the cohort published by the
/// ``ProducerJob``, ``Options/members`` members, a ``ResultCollector`` writing each
/// recommendation to the output file, the progress line, and the summary once every record
/// has a result or a dead letter.
package struct RunJob: Sendable {
    /// What the job does, beyond the settings.
    package struct Options: Sendable {
        /// User-spend records to process (JSONL or CSV); nil to generate ``users`` synthetic users.
        package var input: String?
        /// Synthetic users to generate when there is no ``input`` (nil: 300).
        package var users: Int?
        /// Where the recommendations go, as JSON lines.
        package var output = "recommendations.jsonl"
        /// Consumer group members to run in this process.
        package var members = 1
        /// The simulator's mean latency and its scale factor.
        package var latencyMilliseconds: Double = 1500
        package var latencyScale: Double = 1
        /// Partitions of the embedded broker's topics.
        package var partitions: Int32 = 8
        /// Cohort for records without one (nil: this ISO week).
        package var cohort: String?
        /// Whether to start the embedded broker (else the settings' brokers are used).
        package var embeddedBroker = true
        /// Whether to start the simulator (else the settings' `api.url` is used).
        package var simulator = true
        /// The signals that start a graceful shutdown (none when embedded in a process that
        /// handles its own).
        package var shutdownSignals: [UnixSignal] = [.sigterm, .sigint]

        package init() {}
    }

    /// What the run did.
    package struct Outcome: Sendable {
        /// Records published.
        package let total: Int
        /// Distinct records with a result (a recommendation or a dead letter).
        package let done: Int
        package let recommended: Int
        package let deadLetters: [String: Int]
        package let duplicates: Int
        /// The summary table.
        package let summary: String

        /// Whether every published record has a result.
        package var isComplete: Bool { done >= total }
    }

    package let options: Options
    /// The flags' overrides of the settings; the job adds the embedded broker's and
    /// simulator's addresses to them.
    package let overrides: [String: ConfigContent]
    /// Loads the settings under the given overrides (flags > environment > file > defaults).
    package let loadSettings: @Sendable ([String: ConfigContent]) throws -> ServiceSettings
    package let logger: Logger

    package init(
        options: Options, overrides: [String: ConfigContent],
        loadSettings: @escaping @Sendable ([String: ConfigContent]) throws -> ServiceSettings, logger: Logger
    ) {
        self.options = options
        self.overrides = overrides
        self.loadSettings = loadSettings
        self.logger = logger
    }

    /// Runs the job; throws ``UsageError`` when nothing could be published. The embedded
    /// broker and simulator are shut down however it ends.
    package func run() async throws -> Outcome {
        var overrides = self.overrides
        let started = ContinuousClock.now

        // The broker.
        var cluster: KafkaMockCluster?
        var settings = try loadSettings(overrides)
        if options.embeddedBroker {
            let c = try KafkaMockCluster(brokers: 1, logger: logger)
            cluster = c
            do {
                for topic in [settings.kafka.inputTopic, settings.kafka.outputTopic, settings.kafka.dlqTopic] {
                    try c.createTopic(topic, partitions: options.partitions)
                }
                overrides["kafka.bootstrap_servers"] = .string(c.bootstrapServers)
                settings = try loadSettings(overrides)
            } catch {
                await c.shutdown()
                throw error
            }
            note("embedded broker at \(c.bootstrapServers) (\(options.partitions) partitions per topic)")
        }

        // The API.
        var simulatorGroup: ServiceGroup?
        var simulatorTask: Task<Void, any Error>?
        var simulator: APISimulator?
        let processed: Result<Processed, any Error>
        do {
            if options.simulator {
                let sim = APISimulator(
                    configuration: SimulatorConfiguration(
                        host: "127.0.0.1", port: 0, latencyMilliseconds: options.latencyMilliseconds, latencyScale: options.latencyScale,
                        rateLimit: 50, burst: 30), logger: logger)
                let simGroup = ServiceGroup(configuration: .init(services: [.init(service: sim)], logger: logger))
                simulatorGroup = simGroup
                simulatorTask = Task { try await simGroup.run() }
                let port = try await sim.waitUntilListening()
                overrides["api.url"] = .string("http://127.0.0.1:\(port)/cg/api/pro")
                settings = try loadSettings(overrides)
                simulator = sim
                note(
                    "CardGenius simulator at http://127.0.0.1:\(port) (mean latency \(Int(options.latencyMilliseconds * options.latencyScale)) ms, limit 50/s burst 30)"
                )
            }
            processed = .success(try await publishAndProcess(settings: settings, onMockCluster: cluster != nil))
        } catch {
            processed = .failure(error)
        }
        await simulatorGroup?.triggerGracefulShutdown()
        _ = await simulatorTask?.result
        await cluster?.shutdown()
        let result = try processed.get()

        let summary = RunSummary(
            pipelines: result.pipelines, collector: result.collector, total: result.total,
            elapsed: ContinuousClock.now - started, settings: settings, simulator: simulator?.statistics())
        return Outcome(
            total: result.total, done: result.collector.done, recommended: result.collector.recommended,
            deadLetters: result.collector.deadLetters, duplicates: result.collector.duplicates,
            summary: summary.render())
    }

    /// What the members and the collector did.
    private struct Processed {
        var pipelines: [RecommendationPipeline]
        var collector: ResultCollector
        var total: Int
    }

    /// Publishes the cohort, then runs the members and the collector until every record has
    /// a result (or a signal, or a member's fault); closes the members' clients.
    private func publishAndProcess(settings: ServiceSettings, onMockCluster embedded: Bool) async throws -> Processed {
        // The cohort.
        let cohort = options.cohort ?? ISOWeek.of()
        let inputPath: String
        var temporary: String?
        if let input = options.input {
            inputPath = input
        } else {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("cardgenius-users-\(getpid()).jsonl").path
            try SyntheticUsers.write(count: options.users ?? 300, cohort: cohort, to: path)
            inputPath = path
            temporary = path
        }
        defer { if let temporary { try? FileManager.default.removeItem(atPath: temporary) } }
        let produced = try await ProducerJob(
            input: inputPath, format: nil, cohort: cohort,
            topic: settings.kafka.inputTopic, rejectsPath: ProducerJob.defaultRejectsPath(for: inputPath),
            showProgress: false, logger: logger
        ).publish(bootstrapServers: settings.kafka.bootstrapServers, properties: settings.kafka.properties)
        note("published \(produced.published) records" + (produced.rejected > 0 ? ", rejected \(produced.rejected) (see \(produced.rejectsPath))" : ""))
        guard produced.published > 0 else { throw UsageError("nothing to process") }

        // The members (one metrics endpoint for the process) and the results collector.
        let registry = settings.metrics.port > 0 ? MetricsBootstrap.once() : nil
        var assemblies: [MemberAssembly] = []
        let onMockCluster = embedded ? true : await MemberAssembly.isMockCluster(settings: settings, logger: logger)
        let collector: ResultCollector
        do {
            for index in 0..<options.members {
                // Static members must not share an instance id: with --members K each gets its own.
                var memberSettings = settings
                if options.members > 1 && !settings.kafka.groupInstanceID.isEmpty {
                    memberSettings.kafka.groupInstanceID += "-\(index)"
                }
                assemblies.append(
                    try MemberAssembly(
                        settings: memberSettings, exitWhenIdle: nil, onMockCluster: onMockCluster,
                        logger: logger))
            }
            let pipelines = assemblies.map(\.pipeline)
            collector = try await ResultCollector(
                settings: settings, expected: produced.published, outputPath: options.output,
                logger: logger
            ) {
                for p in pipelines { p.requestStop(reason: "every record has a result") }
            }
        } catch {
            for a in assemblies { await a.close() }
            throw error
        }
        let pipelines = assemblies.map(\.pipeline)
        let progress = RunProgress(
            pipelines: pipelines, collector: collector, total: produced.published,
            budgetRate: settings.api.rateLimit.enabled ? settings.api.rateLimit.requestsPerSecond : nil,
            budgetWorkers: settings.processing.maxWorkers)
        let progressTask = Task { await progress.run() }
        let services: [ServiceGroupConfiguration.ServiceConfiguration] =
            (registry.map { [.init(service: MetricsServer(port: settings.metrics.port, registry: $0, pipelines: pipelines, logger: logger))] } ?? [])
            + [.init(service: PipelineSet(pipelines: pipelines), successTerminationBehavior: .gracefullyShutdownGroup)]
            + [.init(service: collector)]
        let group = ServiceGroup(
            configuration: .init(
                services: services, gracefulShutdownSignals: options.shutdownSignals,
                logger: logger))
        var failure: (any Error)?
        do { try await group.run() } catch { failure = error }
        progressTask.cancel()
        progress.finish()
        for a in assemblies { await a.close() }
        if let failure { throw failure }
        return Processed(pipelines: pipelines, collector: collector, total: produced.published)
    }

    private func note(_ text: String) {
        FileHandle.standardError.write(Data("cardgenius run: \(text)\n".utf8))
    }
}

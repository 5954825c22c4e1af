import ArgumentParser
import Configuration
import CardGenius
import Foundation
import Kafka
import Logging
import Pipeline
import ServiceLifecycle
import Settings
import Simulator

/// `cardgenius run`: the whole job on one machine.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the whole job on one machine: broker, CardGenius simulator, producer, consumer group, results file.",
        discussion: """
        With no --brokers it starts the embedded broker; with no --api-url, the CardGenius simulator \
        (mean latency 1.5 s unless --latency-ms says otherwise). It publishes the cohort, runs \
        --members members, writes each recommendation to --output as it arrives, shows progress, and \
        ends with a summary once every record has a result or a dead letter.
        """
    )

    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: ArgumentHelp("User-spend records to process (JSONL or CSV).", valueName: "FILE"))
    var input: String?

    @Option(name: .long, help: "Generate this many synthetic users instead of --input.")
    var users: Int?

    @Option(name: .long, help: ArgumentHelp("Write recommendations here as JSON lines.", valueName: "FILE.jsonl"))
    var output: String = "recommendations.jsonl"

    @Option(name: .long, help: "Consumer group members to run (in this process).")
    var members: Int = 1


    @Option(name: .long, help: "Simulator mean latency in milliseconds.")
    var latencyMs: Double = 1500

    @Option(name: .long, help: "Simulator latency scale factor (0.01 runs the spec 100x faster).")
    var latencyScale: Double = 1

    @OptionGroup var budget: BudgetOptions

    @Option(name: .long, help: "Partitions of the embedded broker's topics.")
    var partitions: Int32 = 8

    @Option(name: .long, help: ArgumentHelp("Cohort for records without one (default: this ISO week).", valueName: "ID"))
    var cohort: String?

    @Option(name: .long, help: ArgumentHelp("Port of GET /metrics, /healthz and /readyz for the members (metrics.port; 0 disables).", valueName: "PORT"))
    var metricsPort: Int?

    func validate() throws {
        if input != nil && users != nil { throw ValidationError("give --input or --users, not both") }
        if let users, !(1...10_000_000).contains(users) { throw ValidationError("--users must be 1...10000000") }
        if !(1...64).contains(members) { throw ValidationError("--members must be 1...64") }
        if !(latencyMs >= 0) { throw ValidationError("--latency-ms must be >= 0") }
        if !(latencyScale > 0) { throw ValidationError("--latency-scale must be > 0") }
        if !(1...1000).contains(partitions) { throw ValidationError("--partitions must be 1...1000") }
    }

    func run() async throws {
        var overrides = budget.overrides
        if let metricsPort { overrides["metrics.port"] = .int(metricsPort) }
        let logger = common.logging.makeLogger("cardgenius.run")
        let started = ContinuousClock.now

        // The broker.
        var cluster: KafkaMockCluster?
        var settings = try common.settings(overrides: overrides)
        if common.brokers == nil && common.config == nil && ProcessInfo.processInfo.environment["CARDGENIUS_CONFIG"] == nil
            && ProcessInfo.processInfo.environment["CARDGENIUS_KAFKA_BOOTSTRAP_SERVERS"] == nil {
            let c = try KafkaMockCluster(brokers: 1, logger: logger)
            for topic in [settings.kafka.inputTopic, settings.kafka.outputTopic, settings.kafka.dlqTopic] {
                try c.createTopic(topic, partitions: partitions)
            }
            cluster = c
            overrides["kafka.bootstrap_servers"] = .string(c.bootstrapServers)
            settings = try common.settings(overrides: overrides)
            note("embedded broker at \(c.bootstrapServers) (\(partitions) partitions per topic)")
        }

        // The API.
        var simulatorGroup: ServiceGroup?
        var simulatorTask: Task<Void, any Error>?
        var simulator: APISimulator?
        if budget.apiURL == nil {
            let sim = APISimulator(configuration: SimulatorConfiguration(
                host: "127.0.0.1", port: 0, latencyMilliseconds: latencyMs, latencyScale: latencyScale,
                rateLimit: 50, burst: 30), logger: logger)
            let simGroup = ServiceGroup(configuration: .init(services: [.init(service: sim)], logger: logger))
            simulatorGroup = simGroup
            simulatorTask = Task { try await simGroup.run() }
            let port = try await sim.waitUntilListening()
            overrides["api.url"] = .string("http://127.0.0.1:\(port)/cg/api/pro")
            settings = try common.settings(overrides: overrides)
            simulator = sim
            note("CardGenius simulator at http://127.0.0.1:\(port) (mean latency \(Int(latencyMs * latencyScale)) ms, limit 50/s burst 30)")
        }

        // The cohort.
        let inputPath: String
        var temporary: String?
        if let input {
            inputPath = input
        } else {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("cardgenius-users-\(getpid()).jsonl").path
            try SyntheticUsers.write(count: users ?? 300, cohort: cohort ?? ProduceCommand.currentISOWeek(), to: path)
            inputPath = path
            temporary = path
        }
        defer { if let temporary { try? FileManager.default.removeItem(atPath: temporary) } }
        let produced = try await Producer(
            input: inputPath, format: nil, cohort: cohort ?? ProduceCommand.currentISOWeek(),
            topic: settings.kafka.inputTopic, rejectsPath: ProduceCommand.defaultRejectsPath(for: inputPath),
            showProgress: false, logger: logger
        ).publish(bootstrapServers: settings.kafka.bootstrapServers, properties: settings.kafka.properties)
        note("published \(produced.published) records" + (produced.rejected > 0 ? ", rejected \(produced.rejected) (see \(produced.rejectsPath))" : ""))
        guard produced.published > 0 else { throw ValidationError("nothing to process") }

        // The members (one metrics endpoint for the process) and the results collector.
        let registry = settings.metrics.port > 0 ? MetricsBootstrap.once() : nil
        var assemblies: [MemberAssembly] = []
        let onMockCluster = cluster != nil ? true : await MemberAssembly.isMockCluster(settings: settings, logger: logger)
        for index in 0..<members {
            // Static members must not share an instance id: with --members K each gets its own.
            var memberSettings = settings
            if members > 1 && !settings.kafka.groupInstanceID.isEmpty {
                memberSettings.kafka.groupInstanceID += "-\(index)"
            }
            assemblies.append(try MemberAssembly(settings: memberSettings, exitWhenIdle: nil, onMockCluster: onMockCluster, logger: logger))
        }
        let pipelines = assemblies.map(\.pipeline)
        let collector = try await ResultCollector(settings: settings, expected: produced.published, outputPath: output, logger: logger) {
            for p in pipelines { p.requestStop(reason: "every record has a result") }
        }
        let progress = RunProgress(pipelines: pipelines, collector: collector, total: produced.published,
                                   budgetRate: settings.api.rateLimit.enabled ? settings.api.rateLimit.requestsPerSecond : nil,
                                   budgetWorkers: settings.processing.maxWorkers)
        let progressTask = Task { await progress.run() }
        let services: [ServiceGroupConfiguration.ServiceConfiguration] =
            (registry.map { [.init(service: MetricsServer(port: settings.metrics.port, registry: $0, pipelines: pipelines, logger: logger))] } ?? [])
            + pipelines.map { .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup) }
            + [.init(service: collector)]
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        var failure: (any Error)?
        do { try await group.run() } catch { failure = error }
        progressTask.cancel()
        progress.finish()
        for a in assemblies { await a.close() }
        await simulatorGroup?.triggerGracefulShutdown()
        _ = await simulatorTask?.result
        await cluster?.shutdown()
        if let failure { throw failure }

        let summary = RunSummary(pipelines: pipelines, collector: collector, total: produced.published,
                                 elapsed: ContinuousClock.now - started, settings: settings, simulator: simulator?.statistics())
        print(summary.render())
        if collector.done < produced.published { throw ExitCode(3) }
    }

    private func note(_ text: String) {
        FileHandle.standardError.write(Data("cardgenius run: \(text)\n".utf8))
    }
}

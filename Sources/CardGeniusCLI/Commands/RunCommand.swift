import ArgumentParser
import CardGeniusApp
import Configuration
import Foundation

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
        var options = RunJob.Options()
        options.input = input
        options.users = users
        options.output = output
        options.members = members
        options.latencyMilliseconds = latencyMs
        options.latencyScale = latencyScale
        options.partitions = partitions
        options.cohort = cohort
        // The embedded broker unless something names the brokers; the simulator unless --api-url does.
        let environment = ProcessInfo.processInfo.environment
        options.embeddedBroker =
            common.brokers == nil && common.config == nil && environment["CARDGENIUS_CONFIG"] == nil
            && environment["CARDGENIUS_KAFKA_BOOTSTRAP_SERVERS"] == nil
        options.simulator = budget.apiURL == nil
        let common = self.common
        let outcome: RunJob.Outcome
        do {
            outcome = try await RunJob(
                options: options, overrides: overrides,
                loadSettings: { try common.settings(overrides: $0) }, logger: logger
            ).run()
        } catch let error as UsageError {
            throw ValidationError(error.description)
        }
        print(outcome.summary)
        if !outcome.isComplete { throw ExitCode(3) }
    }
}

import ArgumentParser
import CardGeniusApp
import Configuration
import Foundation

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
        let settings = try await common.settingsWatcher(overrides: overrides, logger: logger)
        var options = Member.Options(settings: settings)
        options.exitWhenIdle = exitWhenIdle.map { .milliseconds(Int($0 * 1000)) }
        options.breakerThreshold = breakerThreshold
        options.breakerOpenDuration = breakerOpenMs.map { .milliseconds($0) }
        options.progressInterval = .milliseconds(Int(progressInterval * 1000))
        let outcome = try await Member(settings: settings.initial, options: options, logger: logger).run()
        print(outcome.consumedLine)
        print(outcome.summary)
    }
}

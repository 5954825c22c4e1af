import ArgumentParser
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
        The budgets (--max-workers, --rate, --burst) are for the whole group: each member takes
        the share of the partitions it owns. SIGTERM/SIGINT drains in-flight work, commits and
        leaves the group.
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

    func validate() throws {
        if let exitWhenIdle, !(exitWhenIdle >= 0) { throw ValidationError("--exit-when-idle must be >= 0 seconds") }
        if let breakerThreshold, breakerThreshold < 1 { throw ValidationError("--breaker-threshold must be >= 1") }
        if let breakerOpenMs, breakerOpenMs < 1 { throw ValidationError("--breaker-open-ms must be >= 1") }
    }

    var overrides: [String: String] {
        var o = budget.overrides
        if let group { o["kafka.group_id"] = group }
        return o
    }

    func run() async throws {
        let settings = try common.settings(overrides: overrides)
        let logger = common.logging.makeLogger("cardgenius.consume")
        let member = try MemberAssembly(
            settings: settings, exitWhenIdle: exitWhenIdle.map { .milliseconds(Int($0 * 1000)) },
            tuning: { config in
                if let breakerThreshold { config.breaker.failureThreshold = breakerThreshold }
                if let breakerOpenMs { config.breaker.openDuration = .milliseconds(breakerOpenMs) }
            }, logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: member.pipeline, successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            await member.close()
            throw error
        }
        await member.close()
        let s = member.pipeline.statistics.snapshot
        print("consumed \(s.taken) records: \(s.ok) recommended, \(s.deadLetters.values.reduce(0, +)) dead-lettered, \(s.skipped) skipped; \(s.calls) API calls, \(s.retries) retries")
    }
}

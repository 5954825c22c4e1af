import ArgumentParser
import CardGeniusApp
import Operations

/// `cardgenius tail`: prints a topic's records as JSON lines (a debugging consumer).
struct TailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Print a topic's records as JSON lines; partition assignments go to stderr.",
        discussion: """
            Each line: {"topic","partition","offset","key","headers":{...},"value":...} (the value \
            inline when it is JSON, else as a string). With --group it joins that consumer group and, \
            with --commit, commits what it printed.
            """
    )

    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: "The topic to read (default: kafka.output_topic).")
    var topic: String?

    @Option(name: .long, help: "Consumer group (default: a fresh one, reading from the beginning).")
    var group: String?

    @Flag(name: .long, help: "Commit the offsets of printed records.")
    var commit = false

    @Option(name: .long, help: "Stop after this many records.")
    var max: Int?

    @Option(name: .long, help: ArgumentHelp("Stop once every partition is at its end and nothing arrived for this long.", valueName: "SECONDS"))
    var exitWhenIdle: Double?

    @Option(name: .long, help: ArgumentHelp("Session timeout for the group.", valueName: "MS"))
    var sessionTimeoutMs: Int = 10_000

    func run() async throws {
        let settings = try common.settings()
        let logger = common.logging.makeLogger("cardgenius.tail")
        let topic = topic ?? settings.kafka.outputTopic
        if let group, commit {
            try await PipelineGroupGuard(settings, logger: logger).exitIfRefused(group, command: "tail --commit")
        }
        var job = TailJob(settings: settings, topic: topic, logger: logger)
        job.group = group
        job.commit = commit
        job.max = max
        job.exitWhenIdle = exitWhenIdle.map { .milliseconds(Int($0 * 1000)) }
        job.sessionTimeoutMs = sessionTimeoutMs
        try await job.run()
    }
}

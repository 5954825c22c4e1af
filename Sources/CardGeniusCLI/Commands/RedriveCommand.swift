import ArgumentParser
import CardGeniusApp
import Foundation
import Operations
import ServiceLifecycle

/// `cardgenius redrive`: republishes dead letters to the input topic after a fix.
struct RedriveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redrive",
        abstract: "Republish dead letters (original key, value and cohort) to the input topic.",
        discussion: """
            Each republished record keeps the dead letter's key, value and headers such as cohort, drops \
            error.*, source.* and failed_at, and gets redrive.from (<dlq-topic>/<partition>/<offset>) \
            and redrive.at (UTC). Progress is kept per class in consumer group <group>.<class> on the \
            dead-letter topic (default cardgenius-redrive.invalid-record, ...-api-rejected, \
            ...-retries-exhausted): a redrive reads from there to the end the topic had at the start, \
            and commits only what the broker acknowledged (acks=all), so a second redrive republishes \
            nothing it already did. --dry-run publishes and commits nothing.

            SIGINT/SIGTERM stops it after the current batch: what the broker acknowledged is committed \
            and the table shows what was done.

            Exit status: 0 on success, 1 when a record could not be published (nothing after it in its \
            partition is committed), 130 when stopped by SIGINT/SIGTERM.
            """
    )

    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: ArgumentHelp("Dead-letter topic to read (default: kafka.dlq_topic).", valueName: "TOPIC"))
    var from: String?

    @Option(name: .long, help: ArgumentHelp("Topic to republish to (default: kafka.input_topic).", valueName: "TOPIC"))
    var to: String?

    @Option(
        name: .customLong("class"),
        help: ArgumentHelp("Only this error.class: invalid-record, api-rejected or retries-exhausted (repeatable; default: all).", valueName: "CLASS"))
    var classes: [String] = []

    @Flag(name: .long, help: "Count what would be republished; publish and commit nothing.")
    var dryRun = false

    @Option(name: .long, help: ArgumentHelp("Prefix of the per-class progress groups.", valueName: "G"))
    var group: String = RedriveSelection.defaultGroupPrefix

    @Flag(name: .long, help: "Show the progress line even when stderr is not a terminal.")
    var progress = false

    func validate() throws {
        do { _ = try RedriveSelection(classNames: classes, groupPrefix: group) } catch {
            throw ValidationError(error.message)
        }
        if let from, from.isEmpty { throw ValidationError("--from must name a topic") }
        if let to, to.isEmpty { throw ValidationError("--to must name a topic") }
    }

    func run() async throws {
        let logger = common.logging.makeLogger("cardgenius.redrive")
        try await CommandJob.run(logger: logger) { [self] in
            let settings = try common.settings()
            let selection = try RedriveSelection(classNames: classes, groupPrefix: group)
            let from = from ?? settings.kafka.dlqTopic
            let to = to ?? settings.kafka.inputTopic
            if from == to { throw StartupError("--from and --to are the same topic (\(from))") }
            let line = ProgressLine(enabled: progress || isatty(STDERR_FILENO) != 0, label: "redrive")
            let redriver = DeadLetterRedriver(KafkaAccess(settings, logger: logger))
            let summary: RedriveSummary
            do {
                summary = try await redriver.redrive(
                    from: from, to: to, selection: selection, dryRun: dryRun,
                    shouldStop: { Task.isShuttingDownGracefully }
                ) { s in
                    line.draw("\(s.read) / \(s.toRead) dead letters read, \(s.total.redriven) \(dryRun ? "to redrive" : "redriven")")
                }
            } catch {
                line.finish()
                throw StartupError("redrive failed: \(error)")
            }
            line.finish()
            print(summary.table(), terminator: "")
            if dryRun {
                print("dry run: nothing published, nothing committed (\(from) -> \(to))")
            } else {
                print(
                    "redriven \(summary.total.redriven) from \(from) to \(to); progress in \(selection.classes.map(selection.groupID(for:)).joined(separator: ", "))"
                )
            }
            if summary.interrupted {
                let rest = dryRun ? "dry run" : "what was acknowledged is committed; run it again to go on"
                FileHandle.standardError.write(Data("Error: redrive interrupted after \(summary.read) of \(summary.toRead) dead letters (\(rest))\n".utf8))
                throw ExitCode(130)
            }
            if summary.failed > 0 {
                FileHandle.standardError.write(
                    Data("Error: \(summary.failed) record(s) not acknowledged; first: \(summary.firstFailure ?? "?"); nothing after it was committed\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}

import ArgumentParser
import CardGeniusApp
import Foundation
import Operations
import ServiceLifecycle

/// `cardgenius report`: did every user of a cohort get a recommendation or a dead letter?
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Tally a cohort across the input, output and dead-letter topics; exit 3 while users are pending.",
        discussion: """
            Reads the three topics from their oldest retained record to the end each had at the start \
            (outside any group) and counts, for the cohort (the cohort header): users and records \
            published, users recommended, users dead-lettered by error.class, and users still pending \
            (published, with neither a recommendation nor a dead letter; up to 20 listed).

            Exit status: 0 when nothing is pending, 3 when users are pending, 1 on error, 130 when \
            SIGINT/SIGTERM stopped it (no tally).

            The dev broker keeps only about 5 MB per partition: when a topic's oldest records are gone, \
            a warning says the tally covers only what is retained.
            """
    )

    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: ArgumentHelp("The cohort to tally (e.g. 2026-W48).", valueName: "ID"))
    var cohort: String

    @Flag(name: .long, help: "Print one JSON object instead of the table.")
    var json = false

    @Option(name: .long, help: ArgumentHelp("Input topic (default: kafka.input_topic).", valueName: "T"))
    var inputTopic: String?

    @Option(name: .long, help: ArgumentHelp("Output topic (default: kafka.output_topic).", valueName: "T"))
    var outputTopic: String?

    @Option(name: .long, help: ArgumentHelp("Dead-letter topic (default: kafka.dlq_topic).", valueName: "T"))
    var dlqTopic: String?

    @Flag(name: .long, help: "Show the progress line even when stderr is not a terminal.")
    var progress = false

    func validate() throws {
        if cohort.isEmpty { throw ValidationError("--cohort must not be empty") }
        for (flag, value) in [("--input-topic", inputTopic), ("--output-topic", outputTopic), ("--dlq-topic", dlqTopic)] {
            if let value, value.isEmpty { throw ValidationError("\(flag) must name a topic") }
        }
    }

    func run() async throws {
        let logger = common.logging.makeLogger("cardgenius.report")
        try await CommandJob.run(logger: logger) { [self] in
            let settings = try common.settings()
            let input = inputTopic ?? settings.kafka.inputTopic
            let output = outputTopic ?? settings.kafka.outputTopic
            let dlq = dlqTopic ?? settings.kafka.dlqTopic
            let names = [input, output, dlq]
            if Set(names).count != 3 { throw StartupError("the input, output and dead-letter topics must differ (\(names.joined(separator: ", ")))") }
            let line = ProgressLine(enabled: progress || isatty(STDERR_FILENO) != 0, label: "report")
            let reporter = CohortReporter(KafkaAccess(settings, logger: logger))
            let report: CohortReport
            do {
                report = try await reporter.report(
                    cohort: cohort, inputTopic: input, outputTopic: output, dlqTopic: dlq,
                    shouldStop: { Task.isShuttingDownGracefully }
                ) { done, total in
                    line.draw("\(done) / \(total) records scanned", force: done == 0 || done == total)
                }
            } catch let error as OperationError where error.code == .interrupted {
                line.finish()
                FileHandle.standardError.write(Data("Error: report \(error.message)\n".utf8))
                throw ExitCode(130)
            } catch {
                line.finish()
                throw StartupError("report failed: \(error)")
            }
            line.finish()
            for topic in report.truncatedTopics {
                FileHandle.standardError.write(
                    Data(
                        "warning: the oldest records of \(topic) are gone (low watermark above 0; the dev broker keeps about 5 MB per partition): the tally covers only what is retained\n"
                            .utf8))
            }
            print(json ? report.json() : report.table(), terminator: json ? "\n" : "")
            if report.exitStatus != 0 { throw ExitCode(report.exitStatus) }
        }
    }
}

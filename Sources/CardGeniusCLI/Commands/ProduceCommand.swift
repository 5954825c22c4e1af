import ArgumentParser
import CardGenius
import CardGeniusApp
import Foundation

/// `cardgenius produce`: validates user-spend records and publishes them to the input topic.
struct ProduceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "produce",
        abstract: "Validate user-spend records (JSONL or CSV) and publish them, keyed by user_id, with a cohort header.",
        discussion: """
            A record that fails validation is not published: it is reported as FILE:LINE: field: reason, \
            written with its reason to the rejects file, and the run goes on.

            Exit status: 0 when every record was published and acknowledged, 1 when some were rejected, \
            2 when some could not be delivered or the input could not be read.
            """
    )

    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: ArgumentHelp("Input file, or - for standard input.", valueName: "FILE|-"))
    var input: String

    @Option(name: .long, help: "Input format: jsonl or csv (default: from the file name, else jsonl).")
    var format: String?

    @Option(name: .long, help: ArgumentHelp("Cohort for records without a cohort field (default: this ISO week, e.g. 2026-W48).", valueName: "ID"))
    var cohort: String?

    @Option(name: .long, help: "Topic to publish to (default: kafka.input_topic).")
    var topic: String?

    @Option(name: .long, help: ArgumentHelp("Where rejected records go (default: next to the input, INPUT.rejects.jsonl).", valueName: "PATH"))
    var rejects: String?

    @Flag(name: .long, help: "Show a progress line even when stderr is not a terminal.")
    var progress = false

    func validate() throws {
        if let format, UserSpendRecordReader.Format(rawValue: format) == nil {
            throw ValidationError("--format must be jsonl or csv, got \"\(format)\"")
        }
        if let cohort, cohort.isEmpty || cohort.count > 64 {
            throw ValidationError("--cohort must be 1 to 64 characters")
        }
    }

    func run() async throws {
        let settings = try common.settings()
        let logger = common.logging.makeLogger("cardgenius.produce")
        let summary: ProducerJob.Summary
        do {
            summary = try await ProducerJob(
                input: input, format: format.flatMap(UserSpendRecordReader.Format.init(rawValue:)),
                cohort: cohort ?? ISOWeek.of(), topic: topic ?? settings.kafka.inputTopic,
                rejectsPath: rejects ?? ProducerJob.defaultRejectsPath(for: input),
                showProgress: progress || isatty(STDERR_FILENO) != 0, logger: logger
            ).publish(bootstrapServers: settings.kafka.bootstrapServers, properties: settings.kafka.properties)
        } catch let error as UsageError {
            throw ValidationError(error.description)
        } catch let error as UserSpendRecordReader.ReadError {
            // The input could not be read: exit status 2, as documented, with one line.
            FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
            throw ExitCode(2)
        }
        print(summary.line)
        if summary.exitStatus != 0 { throw ExitCode(summary.exitStatus) }
    }
}

import ArgumentParser
import CardGeniusApp
import Foundation
import Kafka
import Operations
import ServiceLifecycle

/// `cardgenius export`: writes the recommendations of the output topic to a JSONL or CSV file.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the output topic's recommendations to a JSONL or CSV file.",
        discussion: """
            Without --group (or with --from-beginning) it reads every partition from its oldest record \
            to the end it had at the start, and exits. With --group G it continues from G's committed \
            offsets (incremental exports), runs until --exit-when-idle or SIGINT/SIGTERM, and commits \
            only after the file is complete, synced and renamed.

            JSONL: each value exactly as stored, one per line. CSV (RFC 4180, CRLF): a header row with \
            the columns user_id, cohort, rank, card_id, card_name, total_savings_yearly, roi, \
            processed_at, source_partition and source_offset; one row per card (rank 1 = best), one row \
            with empty card fields for a user without cards. The file is written as FILE.partial and \
            renamed to FILE on success (SIGINT/SIGTERM without --group removes FILE.partial, exit 130).

            Records that are not JSON or not schema v1 are skipped with a warning. Progress and the \
            summary line go to stderr.
            """
    )

    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: ArgumentHelp("The file to write, or - for standard output.", valueName: "FILE|-"))
    var output: String

    @Option(name: .long, help: ArgumentHelp("jsonl or csv.", valueName: "jsonl|csv"))
    var format: String = "jsonl"

    @Option(name: .long, help: ArgumentHelp("Consumer group: export only what G has not exported yet, then commit.", valueName: "G"))
    var group: String?

    @Flag(name: .long, help: "Read every partition from the beginning to its end at the start (the default without --group).")
    var fromBeginning = false

    @Option(name: .long, help: ArgumentHelp("Only records of this cohort (the cohort header, else the field).", valueName: "ID"))
    var cohort: String?

    @Option(name: .long, help: ArgumentHelp("With --group: stop once every partition is at its end and nothing arrived for this long.", valueName: "SECONDS"))
    var exitWhenIdle: Double?

    @Option(name: .long, help: ArgumentHelp("The topic to read (default: kafka.output_topic).", valueName: "T"))
    var topic: String?

    @Flag(name: .long, help: "Show the progress line even when stderr is not a terminal.")
    var progress = false

    func validate() throws {
        if ExportFormat(rawValue: format) == nil { throw ValidationError("--format must be jsonl or csv, got \"\(format)\"") }
        if group != nil && fromBeginning { throw ValidationError("--group and --from-beginning cannot be used together") }
        if let group, group.isEmpty { throw ValidationError("--group must not be empty") }
        if let exitWhenIdle, !(exitWhenIdle >= 0) { throw ValidationError("--exit-when-idle must be >= 0 seconds") }
        if exitWhenIdle != nil && group == nil { throw ValidationError("--exit-when-idle needs --group (without it the export ends at the end of the topic)") }
        if output.isEmpty { throw ValidationError("--output must name a file or -") }
        if let cohort, cohort.isEmpty { throw ValidationError("--cohort must not be empty") }
    }

    func run() async throws {
        let logger = common.logging.makeLogger("cardgenius.export")
        try await CommandJob.run(logger: logger) { [self] in
            let settings = try common.settings()
            if let group {
                try await PipelineGroupGuard(settings, logger: logger).exitIfRefused(group, command: "export")
            }
            let topic = topic ?? settings.kafka.outputTopic
            let format = ExportFormat(rawValue: format)!
            let file: ExportFile
            do { file = try ExportFile(path: output) } catch { throw StartupError("\(error)") }
            var warnings = 0
            let writer = ExportWriter(file: file, format: format, cohort: cohort) { line in
                warnings += 1
                if warnings <= 100 {
                    FileHandle.standardError.write(Data("warning: \(line)\n".utf8))
                } else if warnings == 101 {
                    FileHandle.standardError.write(Data("warning: more records skipped; see the summary\n".utf8))
                }
            }
            let line = ProgressLine(enabled: progress || isatty(STDERR_FILENO) != 0, label: "export")
            let started = ContinuousClock.now
            let report: (ExportSummary) -> Void = { s in
                let seconds = max(0.001, (ContinuousClock.now - started) / .seconds(1))
                line.draw("\(s.records) records written, \(s.rows) rows, \(Int(Double(s.read) / seconds)) rec/s")
            }
            let exporter = RecommendationExporter(KafkaAccess(settings, logger: logger))
            do {
                if let group {
                    try await exporter.exportNew(
                        topic: topic, group: group, to: writer, file: file,
                        idle: exitWhenIdle.map { .milliseconds(Int($0 * 1000)) },
                        shouldStop: { Task.isShuttingDownGracefully }, progress: report)
                } else {
                    let ranges = try await exporter.exportAll(topic: topic, to: writer, shouldStop: { Task.isShuttingDownGracefully }, progress: report)
                    try file.finish()
                    if ranges.contains(where: { $0.low > 0 }) {
                        FileHandle.standardError.write(
                            Data(
                                "warning: the oldest records of \(topic) are gone (low watermark above 0; the dev broker keeps about 5 MB per partition): the export covers only what is retained\n"
                                    .utf8))
                    }
                }
            } catch let error as OperationError where error.code == .interrupted {
                line.finish()
                file.discard()
                FileHandle.standardError.write(Data("Error: export \(error.message)\n".utf8))
                throw ExitCode(130)
            } catch {
                line.finish()
                file.discard()
                throw StartupError("export failed: \(error)")
            }
            line.finish()
            let destination = output == "-" ? "stdout" : output
            FileHandle.standardError.write(Data("export: \(writer.summary) -> \(destination)\n".utf8))
        }
    }
}

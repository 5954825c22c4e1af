import ArgumentParser
import CardGenius
import Dispatch
import Foundation
import Kafka
import Logging

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
        let summary: Producer.Summary
        do {
            summary = try await Producer(
                input: input, format: format.flatMap(UserSpendRecordReader.Format.init(rawValue:)),
                cohort: cohort ?? Self.currentISOWeek(), topic: topic ?? settings.kafka.inputTopic,
                rejectsPath: rejects ?? Self.defaultRejectsPath(for: input),
                showProgress: progress || isatty(STDERR_FILENO) != 0, logger: logger
            ).publish(bootstrapServers: settings.kafka.bootstrapServers, properties: settings.kafka.properties)
        } catch let error as UserSpendRecordReader.ReadError {
            // The input could not be read: exit status 2, as documented, with one line.
            FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
            throw ExitCode(2)
        }
        print("published \(summary.published), rejected \(summary.rejected), undelivered \(summary.undelivered)"
              + (summary.rejected > 0 ? " (rejects in \(summary.rejectsPath))" : ""))
        if summary.undelivered > 0 { throw ExitCode(2) }
        if summary.rejected > 0 { throw ExitCode(1) }
    }

    /// `2026-W48`: the ISO-8601 week of `date`.
    static func currentISOWeek(_ date: Date = Date()) -> String {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.yearForWeekOfYear, .weekOfYear], from: date)
        return String(format: "%04d-W%02d", c.yearForWeekOfYear ?? 1970, c.weekOfYear ?? 1)
    }

    static func defaultRejectsPath(for input: String) -> String {
        input == "-" ? "stdin.rejects.jsonl" : input + ".rejects.jsonl"
    }
}

/// Streams records from a file to Kafka in order, in batches, with constant memory.
struct Producer {
    var input: String
    var format: UserSpendRecordReader.Format?
    var cohort: String
    var topic: String
    var rejectsPath: String
    var showProgress: Bool
    var logger: Logger
    var batchSize = 2_000

    struct Summary { var published = 0, rejected = 0, undelivered = 0, rejectsPath = "" }

    func publish(bootstrapServers: String, properties: [String: String]) async throws -> Summary {
        let source = try BlockingRecordSource(path: input, format: format)
        var config = KafkaProducerConfiguration(bootstrapServers: bootstrapServers)
        config.properties = properties
        let producer = try KafkaProducer(configuration: config, logger: logger)
        var summary = Summary(rejectsPath: rejectsPath)
        var rejectsFile: RejectsFile?
        let progress = ProgressLine(enabled: showProgress, label: "produce")
        let started = ContinuousClock.now
        do {
            while let batch = try await source.next(batchSize) {
                var records: [KafkaProducerRecord] = []
                records.reserveCapacity(batch.count)
                for entry in batch {
                    switch entry.result {
                    case .success(var record):
                        if record.cohort == nil { record.cohort = cohort }
                        records.append(KafkaProducerRecord(
                            topic: topic, key: Array(record.userID.utf8), value: record.canonicalJSON(),
                            headers: [KafkaHeader(name: "cohort", string: record.cohort ?? cohort)]))
                    case .failure(let error):
                        summary.rejected += 1
                        let where_ = "\(input == "-" ? "<stdin>" : input):\(entry.line)"
                        FileHandle.standardError.write(Data("\(where_): \(error.field): \(error.reason)\n".utf8))
                        if rejectsFile == nil { rejectsFile = try RejectsFile(path: rejectsPath) }
                        try rejectsFile?.write(line: entry.line, error: error, raw: entry.raw)
                    }
                }
                for result in try await producer.sendBatch(records) {
                    switch result {
                    case .success: summary.published += 1
                    case .failure(let error):
                        summary.undelivered += 1
                        if summary.undelivered <= 10 { logger.error("delivery failed: \(error)") }
                    }
                }
                let (read, total) = source.position
                progress.update(done: summary.published + summary.rejected, bytes: read, totalBytes: total,
                                elapsed: ContinuousClock.now - started)
            }
        } catch {
            progress.finish()
            await producer.close()
            throw error
        }
        progress.finish()
        await producer.close()
        try rejectsFile?.close()
        return summary
    }
}

/// Reads batches of entries on a dedicated dispatch queue: file reads never block
/// Swift's cooperative pool.
final class BlockingRecordSource: @unchecked Sendable {
    private var reader: UserSpendRecordReader
    private let queue = DispatchQueue(label: "cardgenius.produce.reader")
    private(set) var position: (Int64, Int64?) = (0, nil)

    init(path: String, format: UserSpendRecordReader.Format?) throws {
        reader = try UserSpendRecordReader(path: path, format: format)
        position = (0, reader.totalBytes)
    }

    /// Up to `n` entries, or nil at the end of the input.
    func next(_ n: Int) async throws -> [UserSpendRecordReader.Entry]? {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                do {
                    var batch: [UserSpendRecordReader.Entry] = []
                    while batch.count < n, let entry = try self.reader.next() { batch.append(entry) }
                    self.position = (self.reader.bytesRead, self.reader.totalBytes)
                    continuation.resume(returning: batch.isEmpty ? nil : batch)
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }
}

/// The rejects file: one JSON object per rejected record, with its line, field and reason.
final class RejectsFile {
    private let handle: FileHandle
    let path: String

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw ValidationError("cannot write the rejects file \(path)")
        }
        self.handle = handle
        self.path = path
    }

    func write(line: Int, error: RecordValidationError, raw: [UInt8]) throws {
        let reject = Reject(code: error.code.description, field: error.field, line: line, reason: error.reason,
                            record: String(decoding: raw.prefix(100_000), as: UTF8.self))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var data = try encoder.encode(reject)
        data.append(0x0A)
        handle.write(data)
    }

    /// One line of the rejects file.
    private struct Reject: Encodable {
        var code: String
        var field: String
        var line: Int
        var reason: String
        var record: String
    }

    func close() throws { try handle.close() }
}

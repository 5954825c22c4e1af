import CardGenius
import Foundation
import Kafka
import Logging

/// The job behind `produce` (and the publishing step of `run`): streams user-spend records
/// from a file to the input topic in order, in batches, with constant memory. A record that
/// fails validation is reported as `FILE:LINE: field: reason` on stderr and written to the
/// rejects file; the rest are published keyed by user id with a `cohort` header.
package struct ProducerJob {
    package var input: String
    package var format: UserSpendRecordReader.Format?
    package var cohort: String
    package var topic: String
    package var rejectsPath: String
    package var showProgress: Bool
    package var logger: Logger
    package var batchSize = 2_000
    /// Where each rejected record's `FILE:LINE: field: reason` line goes (a line without its
    /// newline): standard error for `produce` and `run`; a test collects the lines instead.
    package var reportReject: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// What a run published, rejected and could not deliver.
    package struct Summary: Sendable, Equatable {
        package var published = 0, rejected = 0, undelivered = 0
        package var rejectsPath = ""

        /// The line `produce` prints when it is done.
        package var line: String {
            "published \(published), rejected \(rejected), undelivered \(undelivered)"
                + (rejected > 0 ? " (rejects in \(rejectsPath))" : "")
        }

        /// `produce`'s exit status: 2 when a record could not be delivered, else 1 when one
        /// was rejected, else 0.
        package var exitStatus: Int32 { undelivered > 0 ? 2 : rejected > 0 ? 1 : 0 }
    }

    /// `input`: a file or `-` (standard input); `format`: nil to go by the file name.
    package init(
        input: String, format: UserSpendRecordReader.Format?, cohort: String, topic: String,
        rejectsPath: String, showProgress: Bool, logger: Logger
    ) {
        self.input = input
        self.format = format
        self.cohort = cohort
        self.topic = topic
        self.rejectsPath = rejectsPath
        self.showProgress = showProgress
        self.logger = logger
    }

    /// `INPUT.rejects.jsonl` beside the input (`stdin.rejects.jsonl` for standard input).
    package static func defaultRejectsPath(for input: String) -> String {
        input == "-" ? "stdin.rejects.jsonl" : input + ".rejects.jsonl"
    }

    /// Publishes the whole input; throws `UserSpendRecordReader.ReadError` when it cannot be read.
    package func publish(bootstrapServers: String, properties: [String: String]) async throws -> Summary {
        let source = try BlockingRecordSource(path: input, format: format)
        var config = KafkaProducerConfiguration(bootstrapServers: bootstrapServers)
        config.properties = properties
        let producer = try KafkaProducer(configuration: config, logger: logger)
        var tally = Tally(rejectsPath: rejectsPath)
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
                        records.append(
                            KafkaProducerRecord(
                                topic: topic, key: Array(record.userID.utf8), value: record.canonicalJSON(),
                                headers: [KafkaHeader(name: "cohort", string: record.cohort ?? cohort)]))
                    case .failure(let error):
                        let location = "\(input == "-" ? "<stdin>" : input):\(entry.line)"
                        reportReject("\(location): \(error.field): \(error.reason)")
                        if tally.rejected() == .openRejectsFile { rejectsFile = try RejectsFile(path: rejectsPath) }
                        try rejectsFile?.write(line: entry.line, error: error, raw: entry.raw)
                    }
                }
                for result in try await producer.sendBatch(records) {
                    switch result {
                    case .success:
                        tally.delivered()
                    case .failure(let error):
                        if tally.undelivered() == .log { logger.error("delivery failed: \(error)") }
                    }
                }
                let (read, total) = source.position
                progress.update(done: tally.done, bytes: read, totalBytes: total, elapsed: ContinuousClock.now - started)
            }
        } catch {
            progress.finish()
            await producer.close()
            throw error
        }
        progress.finish()
        await producer.close()
        try rejectsFile?.close()
        return tally.summary
    }
}

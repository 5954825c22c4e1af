import Kafka
import Pipeline

/// Turns output records into export lines: validates each value (schema v1), applies the
/// cohort filter, writes JSONL or CSV to an ``ExportFile`` and keeps the ``ExportSummary``.
package final class ExportWriter {
    /// The format written.
    package let format: ExportFormat
    /// Only records of this cohort (the `cohort` header, else the value's field), or all.
    package let cohort: String?
    /// What has been written so far.
    package private(set) var summary = ExportSummary()
    private let file: ExportFile
    private let warn: (String) -> Void
    private var users = Set<String>()
    private var wroteHeader = false

    /// - Parameter warn: receives one line per skipped record, naming topic, partition and offset.
    package init(file: ExportFile, format: ExportFormat, cohort: String?, warn: @escaping (String) -> Void) {
        self.file = file
        self.format = format
        self.cohort = cohort
        self.warn = warn
    }

    /// Writes the CSV header (once) even when no record follows.
    package func start() throws {
        if format == .csv && !wroteHeader {
            wroteHeader = true
            try file.write(RecommendationCSV.header)
        }
    }

    /// Exports `records` in order.
    package func write(_ records: [KafkaRecord]) throws {
        try start()
        for record in records {
            let parsed: ExportedRecommendation
            do {
                parsed = try ExportedRecommendation(value: record.value)
            } catch {
                summary.skipped += 1
                warn("skipped \(record.topic)/\(record.partition)/\(record.offset): \(error.reason)")
                continue
            }
            let recordCohort = record.headers.string(RecordHeader.cohort) ?? parsed.cohort
            if let cohort, recordCohort != cohort {
                summary.filtered += 1
                continue
            }
            switch format {
            case .jsonl:
                var line = record.value ?? []
                // A valid JSON value can hold a line break only as whitespace: make it a space so
                // every record stays on one line.
                for i in line.indices where line[i] == 0x0A || line[i] == 0x0D { line[i] = 0x20 }
                line.append(0x0A)
                try file.write(line)
                summary.rows += 1
            case .csv:
                for row in RecommendationCSV.rows(parsed, cohort: recordCohort) {
                    try file.write(row)
                    summary.rows += 1
                }
            }
            summary.records += 1
            if users.insert(parsed.userID).inserted { summary.users = users.count }
        }
    }
}

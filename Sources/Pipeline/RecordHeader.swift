/// The names of the record headers this service writes and reads (see
/// docs/output-contract.md). Use these constants instead of retyping the strings.
package enum RecordHeader {
    /// The cohort of the user (e.g. `2026-W48`), on input, output and dead-letter records.
    package static let cohort = "cohort"
    /// `application/json` on output records.
    package static let contentType = "content-type"
    /// The ``DeadLetterClass`` of a dead letter.
    package static let errorClass = "error.class"
    /// `field: reason` of a dead letter.
    package static let errorMessage = "error.message"
    /// The API calls made before a record was dead-lettered.
    package static let errorAttempts = "error.attempts"
    /// The input topic of a dead letter.
    package static let sourceTopic = "source.topic"
    /// The input partition of a dead letter.
    package static let sourcePartition = "source.partition"
    /// The input offset of a dead letter.
    package static let sourceOffset = "source.offset"
    /// When a record was dead-lettered (UTC ISO-8601).
    package static let failedAt = "failed_at"
    /// On a redriven input record: the dead letter it came from, `<dlq-topic>/<partition>/<offset>`.
    package static let redriveFrom = "redrive.from"
    /// On a redriven input record: when it was republished (UTC ISO-8601).
    package static let redriveAt = "redrive.at"

    /// Whether `name` is one of the headers the pipeline adds to a dead letter
    /// (`error.*`, `source.*`, `failed_at`), which a dead letter's copy drops.
    package static func isDeadLetterHeader(_ name: String) -> Bool {
        name.hasPrefix("error.") || name.hasPrefix("source.") || name == failedAt
    }
}

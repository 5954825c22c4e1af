/// What an export wrote.
package struct ExportSummary: Sendable, Hashable, CustomStringConvertible {
    /// Output records written.
    package var records = 0
    /// Distinct user ids among them.
    package var users = 0
    /// Lines written after the CSV header (one per record for JSONL).
    package var rows = 0
    /// Records skipped because their value is not JSON or not schema v1.
    package var skipped = 0
    /// Records left out by the `--cohort` filter.
    package var filtered = 0
    /// Every record read (written, skipped or filtered).
    package var read: Int { records + skipped + filtered }

    package init() {}

    /// `records=N users=N rows=N skipped=N filtered=N`.
    package var description: String {
        "records=\(records) users=\(users) rows=\(rows) skipped=\(skipped) filtered=\(filtered)"
    }
}

/// What an export wrote.
public struct ExportSummary: Sendable, Hashable, CustomStringConvertible {
    /// Output records written.
    public var records = 0
    /// Distinct user ids among them.
    public var users = 0
    /// Lines written after the CSV header (one per record for JSONL).
    public var rows = 0
    /// Records skipped because their value is not JSON or not schema v1.
    public var skipped = 0
    /// Records left out by the `--cohort` filter.
    public var filtered = 0
    /// Every record read (written, skipped or filtered).
    public var read: Int { records + skipped + filtered }

    public init() {}

    /// `records=N users=N rows=N skipped=N filtered=N`.
    public var description: String {
        "records=\(records) users=\(users) rows=\(rows) skipped=\(skipped) filtered=\(filtered)"
    }
}

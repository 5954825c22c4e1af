import Pipeline

/// Reads the pipeline's commit metadata (``CommitMetadata``) for reports.
package enum CommitMetadataSummary {
    /// How many offsets above `committed` and below `end` (the partition's high watermark)
    /// the metadata records as completed (0 for foreign, stale or missing metadata).
    package static func completedAbove(_ metadata: String?, committed: Int64, end: Int64 = .max) -> Int {
        Int(clamping: CommitMetadata.parse(metadata, committed: committed, end: end).count)
    }

    /// Whether the metadata was not written by cardgenius (another tool's commit, or
    /// malformed): reports say so instead of counting it.
    package static func isForeign(_ metadata: String?) -> Bool {
        CommitMetadata.parse(metadata, committed: 0) == .foreign
    }
}

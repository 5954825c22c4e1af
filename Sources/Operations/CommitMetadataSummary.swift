import Pipeline

/// Reads the pipeline's commit metadata (``CommitMetadata``) for reports.
public enum CommitMetadataSummary {
    /// How many offsets above `committed` the metadata records as completed (0 for foreign,
    /// stale or missing metadata).
    public static func completedAbove(_ metadata: String?, committed: Int64) -> Int {
        CommitMetadata.decode(metadata, committed: committed).count
    }
}

/// What `cardgenius export` writes.
package enum ExportFormat: String, Sendable, CaseIterable {
    /// One output record value per line, exactly as stored.
    case jsonl
    /// One row per recommended card (see ``RecommendationCSV``).
    case csv
}

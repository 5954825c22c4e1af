import Foundation

/// The CSV form of recommendations (RFC 4180: comma-separated, CRLF line ends, fields with a
/// comma, quote, CR or LF quoted with `"` and inner quotes doubled).
///
/// One row per card in `savings`, `rank` 1 being the best card; a user with no cards gets
/// one row with empty `rank` and card fields.
package enum RecommendationCSV {
    /// The columns, in order.
    package static let columns = [
        "user_id", "cohort", "rank", "card_id", "card_name", "total_savings_yearly", "roi",
        "processed_at", "source_partition", "source_offset",
    ]

    /// The header row, with its line end.
    package static var header: String { line(columns) }

    /// The rows of one recommendation, each with its line end. `cohort` is the record's
    /// cohort (its header, else its field).
    package static func rows(_ r: ExportedRecommendation, cohort: String?) -> [String] {
        let tail = [r.processedAt, r.sourcePartition, r.sourceOffset]
        guard !r.cards.isEmpty else {
            return [line([r.userID, cohort ?? "", "", "", "", "", ""] + tail)]
        }
        return r.cards.enumerated().map { index, card in
            line([r.userID, cohort ?? "", String(index + 1), card.id, card.name, card.totalSavingsYearly, card.roi] + tail)
        }
    }

    /// One row from its fields, with its CRLF line end.
    package static func line(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\r\n"
    }

    /// A field, quoted when it has to be.
    package static func field(_ value: String) -> String {
        let needsQuotes = value.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
        guard needsQuotes else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

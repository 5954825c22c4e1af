import Foundation

/// Where `cardgenius replay` moves a group's committed offsets.
package enum ReplayTarget: Sendable, Hashable, CustomStringConvertible {
    /// The oldest record still in each partition (the low watermark).
    case earliest
    /// The end of each partition (the high watermark): skip everything not yet processed.
    case latest
    /// The same offset in every selected partition.
    case offset(Int64)
    /// The earliest offset whose record timestamp is at or after this instant
    /// (milliseconds since the epoch); the end of the partition if there is none.
    case timestamp(Int64)
    /// The committed offset moved by this many records (negative: reprocess more).
    case shift(Int64)

    /// Parses a `--to` value: `earliest`, `latest`, an offset (digits) or an ISO-8601 timestamp.
    package static func parse(to text: String) throws(OperationError) -> ReplayTarget {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        switch trimmed.lowercased() {
        case "earliest", "beginning": return .earliest
        case "latest", "end": return .latest
        default: break
        }
        if !trimmed.isEmpty, trimmed.allSatisfy(\.isASCIIDigit) {
            guard let n = Int64(trimmed) else {
                throw OperationError(.invalidTarget, "--to \(text): the offset is too large")
            }
            return .offset(n)
        }
        if trimmed.hasPrefix("-"), trimmed.dropFirst().allSatisfy(\.isASCIIDigit), trimmed.count > 1 {
            throw OperationError(
                .invalidTarget, "--to \(text): an offset cannot be negative (to move back from the committed offsets use --shift-by \(trimmed))")
        }
        if trimmed.first?.isASCIIDigit == true, trimmed.contains("-") {
            do {
                return .timestamp(try ISO8601Timestamp.parse(trimmed))
            } catch {
                throw OperationError(.invalidTimestamp, "--to: \(error.message)")
            }
        }
        throw OperationError(
            .invalidTarget, "--to \"\(text)\": expected earliest, latest, an offset (e.g. 1200) or an ISO-8601 timestamp (e.g. 2026-11-23T00:00:00Z)")
    }

    package var description: String {
        switch self {
        case .earliest: return "earliest"
        case .latest: return "latest"
        case .offset(let n): return "offset \(n)"
        case .timestamp(let ms): return "timestamp \(ISO8601Timestamp.format(milliseconds: ms))"
        case .shift(let n): return "shift by \(n >= 0 ? "+" : "")\(n)"
        }
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

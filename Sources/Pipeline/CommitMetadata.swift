/// The compact commit metadata that records which offsets above a committed watermark
/// were already completed, so a restart redoes only what was really unfinished.
///
/// Format (version 1): `cg1:<watermark>:<ranges>` where `<ranges>` is a comma-separated
/// list of `start` or `start-end` deltas from the watermark in base 36, e.g.
/// `cg1:1200:1,3-5` means offsets 1201 and 1203...1205 are done. The watermark is stored
/// so metadata that does not match the committed offset (after a replay) is ignored.
public enum CommitMetadata {
    /// The most bytes written; Kafka's default `offset.metadata.max.bytes` is 4096.
    public static let maxBytes = 3_500

    /// Encodes the completed offsets above `watermark`; `nil` when there are none.
    /// Ranges that do not fit in ``maxBytes`` are left out (they will only be redone).
    public static func encode(watermark: Int64, completed: some Sequence<Int64>) -> String? {
        var out = "cg1:\(watermark):"
        let header = out.utf8.count
        var start: Int64? = nil
        var end: Int64 = 0
        func flush() -> Bool {
            guard let s = start else { return true }
            let a = String(s - watermark, radix: 36)
            let piece = s == end ? a : a + "-" + String(end - watermark, radix: 36)
            let sep = out.utf8.count > header ? "," : ""
            guard out.utf8.count + sep.utf8.count + piece.utf8.count <= maxBytes else { return false }
            out += sep + piece
            return true
        }
        for o in completed.sorted() where o > watermark {
            if let _ = start, o == end + 1 { end = o; continue }
            if !flush() { break }
            start = o
            end = o
        }
        _ = flush()
        return out.utf8.count > header ? out : nil
    }

    /// Decodes metadata written by ``encode(watermark:completed:)``. Returns an empty set
    /// for foreign, malformed or stale metadata (whose watermark is not `committed`).
    public static func decode(_ metadata: String?, committed: Int64) -> Set<Int64> {
        guard let metadata, metadata.hasPrefix("cg1:") else { return [] }
        let parts = metadata.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let base = Int64(parts[1]), base == committed else { return [] }
        var result = Set<Int64>()
        for range in parts[2].split(separator: ",") {
            let bounds = range.split(separator: "-")
            guard let a = bounds.first.flatMap({ Int64($0, radix: 36) }) else { return [] }
            let b = bounds.count > 1 ? Int64(bounds[1], radix: 36) : a
            guard let b, a > 0, b >= a, b - a < 1_000_000 else { return [] }
            for d in a...b { result.insert(base + d) }
        }
        return result
    }
}

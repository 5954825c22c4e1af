/// The compact commit metadata that records which offsets above a committed watermark
/// were already completed, so a restart redoes only what was really unfinished.
///
/// Format (version 1): `cg1:<watermark>:<ranges>` where `<ranges>` is a comma-separated
/// list of `start` or `start-end` deltas from the watermark in base 36, ascending and
/// disjoint, e.g. `cg1:1200:1,3-5` means offsets 1201 and 1203...1205 are done. The
/// watermark is stored so metadata that does not match the committed offset (after a
/// replay) is ignored.
///
/// Any client may commit offsets for the group, with any metadata: decoding never trusts
/// it. It is linear in the string, never expands ranges, cannot overflow, and keeps only
/// what can be true (offsets above the committed one and below the partition's end).
package enum CommitMetadata {
    /// The most bytes written; Kafka's default `offset.metadata.max.bytes` is 4096.
    package static let maxBytes = 3_500

    /// The most ranges metadata of ``maxBytes`` can hold (one digit and a comma each).
    package static let maxRanges = maxBytes / 2

    /// What a partition's committed metadata says.
    package enum Decoded: Sendable, Hashable {
        /// No metadata (or an empty string).
        case none
        /// Not written by this service: another tool's, malformed, longer than
        /// ``maxBytes``, ranges out of order, or deltas that overflow. Ignored.
        case foreign
        /// Ours, but for another committed offset (a replay moved it). Ignored.
        case stale
        /// The completed offsets above the committed one, ascending, disjoint and within
        /// the bounds given to ``parse(_:committed:end:)`` (possibly none after clipping).
        case completed([ClosedRange<Int64>])

        /// The completed ranges (empty unless ``completed(_:)``).
        package var ranges: [ClosedRange<Int64>] {
            if case .completed(let ranges) = self { return ranges }
            return []
        }

        /// How many offsets the ranges hold (saturating).
        package var count: Int64 {
            ranges.reduce(Int64(0)) { total, r in
                let (n, o1) = r.upperBound.subtractingReportingOverflow(r.lowerBound)
                let (sum, o2) = total.addingReportingOverflow(n &+ 1)
                return o1 || o2 || n == .max ? .max : sum
            }
        }
    }

    /// Encodes the completed offsets above `watermark`; `nil` when there are none.
    /// Ranges that do not fit in ``maxBytes`` are left out (they will only be redone).
    package static func encode(watermark: Int64, completed: some Sequence<Int64>) -> String? {
        var ranges: [ClosedRange<Int64>] = []
        for o in completed.sorted() where o > watermark { ranges.appendMerging(o...o) }
        return encode(watermark: watermark, ranges: ranges)
    }

    /// Encodes completed ranges above `watermark` (ascending, disjoint); `nil` when there are
    /// none. Ranges that do not fit in ``maxBytes`` are left out (they will only be redone).
    package static func encode(watermark: Int64, ranges: some Sequence<ClosedRange<Int64>>) -> String? {
        var out = "cg1:\(watermark):"
        let header = out.utf8.count
        for range in ranges {
            let start = max(range.lowerBound, watermark &+ 1)
            guard start <= range.upperBound, start > watermark else { continue }
            let a = String(start - watermark, radix: 36)
            let piece = start == range.upperBound ? a : a + "-" + String(range.upperBound - watermark, radix: 36)
            let sep = out.utf8.count > header ? "," : ""
            guard out.utf8.count + sep.utf8.count + piece.utf8.count <= maxBytes else { break }
            out += sep + piece
        }
        return out.utf8.count > header ? out : nil
    }

    /// Decodes metadata, keeping only offsets in `committed + 1 ..< end` (`end`: the
    /// partition's high watermark, when known: an offset at or past it was never written,
    /// so no one completed it). Linear in the string's length, at most ``maxRanges`` ranges.
    package static func parse(_ metadata: String?, committed: Int64, end: Int64 = .max) -> Decoded {
        guard let metadata, !metadata.isEmpty else { return .none }
        let bytes = metadata.utf8
        guard bytes.count <= maxBytes, metadata.hasPrefix("cg1:") else { return .foreign }
        let parts = metadata.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let base = Int64(parts[1]), base >= 0 else { return .foreign }
        var ranges: [ClosedRange<Int64>] = []
        var previous: Int64 = 0
        for piece in parts[2].split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = piece.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
            guard let a = Self.delta(bounds[0]) else { return .foreign }
            let b = bounds.count > 1 ? Self.delta(bounds[1]) : a
            // Ascending and disjoint, as written: anything else is not ours.
            guard let b, a > previous, b >= a else { return .foreign }
            previous = b
            let (low, o1) = base.addingReportingOverflow(a)
            let (high, o2) = base.addingReportingOverflow(b)
            guard !o1, !o2 else { return .foreign }
            ranges.append(low...high)
        }
        guard ranges.count <= maxRanges else { return .foreign }
        guard base == committed else { return .stale }
        let last = end == .min ? end : end - 1
        return .completed(
            ranges.compactMap { r in
                let low = max(r.lowerBound, committed &+ 1)
                let high = min(r.upperBound, last)
                return low <= high ? low...high : nil
            })
    }

    /// A positive base-36 delta of at most 13 digits (`Int64.max` is `1y2p0ij32e8e7`).
    private static func delta(_ text: Substring) -> Int64? {
        guard !text.isEmpty, text.utf8.count <= 13,
            text.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x7A) }),
            let value = Int64(text, radix: 36), value > 0
        else { return nil }
        return value
    }

    /// Decodes metadata written by ``encode(watermark:completed:)`` into single offsets, for
    /// tests and small reports: at most `limit` offsets (the lowest). Returns an empty set
    /// for foreign, malformed or stale metadata (whose watermark is not `committed`). The
    /// pipeline uses ``parse(_:committed:end:)``, which never expands ranges.
    package static func decode(_ metadata: String?, committed: Int64, limit: Int = 100_000) -> Set<Int64> {
        var result = Set<Int64>()
        for range in parse(metadata, committed: committed).ranges {
            var o = range.lowerBound
            while result.count < limit {
                result.insert(o)
                if o == range.upperBound { break }
                o += 1
            }
            if result.count >= limit { break }
        }
        return result
    }
}

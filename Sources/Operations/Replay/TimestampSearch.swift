/// Finds, by binary search over record timestamps, the earliest offset of a partition whose
/// record's timestamp is at or after an instant — for brokers whose ListOffsets does not
/// answer timestamp queries (librdkafka's mock cluster).
///
/// Assumes timestamps do not decrease with the offset within a partition. That holds for
/// `LogAppendTime` topics and for `CreateTime` records from one producer with a steady
/// clock; with several producers or re-published old records it may not, and the answer
/// is then one offset where the timestamps cross `T`, not necessarily the first.
package enum TimestampSearch {
    /// A record as the search needs it: its offset and timestamp (nil when it has none,
    /// which the search treats as before any instant).
    package struct Probe: Sendable, Hashable {
        package var offset: Int64
        package var timestampMs: Int64?
        package init(offset: Int64, timestampMs: Int64?) {
            self.offset = offset
            self.timestampMs = timestampMs
        }
    }

    /// The answer and how many records were looked up.
    package struct Result: Sendable, Hashable {
        package var offset: Int64
        package var lookups: Int
    }

    /// The earliest offset in `[low, high]` at which reading finds only records with a
    /// timestamp at or after `timestampMs`; `high` when every record is older.
    ///
    /// - Parameter lookup: the record at an offset or the first one after it, or nil when
    ///   there is none before the end of the partition. Called O(log(high − low)) times.
    package static func firstOffset(
        atOrAfter timestampMs: Int64, low: Int64, high: Int64,
        lookup: (Int64) async throws -> Probe?
    ) async throws -> Result {
        var lo = low
        var hi = max(low, high)
        var lookups = 0
        while lo < hi {
            let mid = lo + (hi - lo) / 2
            lookups += 1
            guard let probe = try await lookup(mid), probe.offset < hi else {
                // No record in [mid, hi): starting at mid reads the same as starting at hi.
                hi = mid
                continue
            }
            if let ts = probe.timestampMs, ts >= timestampMs {
                // Offsets between mid and probe.offset hold no record.
                hi = mid
            } else {
                lo = probe.offset + 1
            }
        }
        return Result(offset: lo, lookups: lookups)
    }
}

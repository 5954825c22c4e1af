import DequeModule

/// Tracks one partition's records from the moment they are taken until their result is
/// durably in Kafka, and answers the one question commits need: the highest offset below
/// which every record is complete (the contiguous watermark).
///
/// Offsets may have gaps (compaction, transaction markers): the watermark is the offset
/// of the oldest incomplete record, or one past the newest taken record when all are done.
public struct OffsetTracker: Sendable, Equatable {
    /// Records taken and not yet released from the front, in offset order.
    private var window: Deque<Entry> = []
    /// One past the newest offset taken; the watermark when nothing is outstanding.
    public private(set) var nextOffset: Int64
    /// Offsets a previous owner completed above its committed watermark: skipped on sight.
    public private(set) var skip: Set<Int64>

    struct Entry: Sendable, Equatable {
        var offset: Int64
        var done: Bool
    }

    /// Starts at a committed offset, with the completed offsets recorded in its metadata.
    public init(committed: Int64, completedAbove: Set<Int64> = []) {
        nextOffset = committed
        skip = completedAbove.filter { $0 >= committed }
    }

    /// Records that `offset` was taken. Returns false for an offset at or below one
    /// already taken (a redelivery), which the caller must ignore.
    public mutating func take(_ offset: Int64) -> Bool {
        guard offset >= nextOffset || (window.isEmpty && nextOffset < 0) else { return false }
        window.append(Entry(offset: offset, done: false))
        nextOffset = offset + 1
        return true
    }

    /// Whether a previous owner already completed `offset` (from the commit metadata).
    public func wasCompletedBefore(_ offset: Int64) -> Bool { skip.contains(offset) }

    /// Marks a taken offset complete.
    public mutating func complete(_ offset: Int64) {
        // Binary search: the window is sorted by offset.
        var lo = 0, hi = window.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            let o = window[mid].offset
            if o == offset { window[mid].done = true; break }
            if o < offset { lo = mid + 1 } else { hi = mid - 1 }
        }
        while let first = window.first, first.done { window.removeFirst() }
        // Forget only the skip offsets below the watermark: those above it that were not
        // fetched yet are still the previous owner's completions, to skip and to carry on.
        if let smallest = skip.min(), smallest < watermark { skip = skip.filter { $0 >= watermark } }
    }

    /// The offset to commit: every record below it is complete.
    public var watermark: Int64 { window.first?.offset ?? nextOffset }

    /// Completed offsets above the watermark (to record in the commit metadata), in order:
    /// this owner's completions and the previous owners' (from the assigned metadata) not
    /// fetched yet, so a commit never drops a completion a predecessor recorded.
    public var completedAboveWatermark: [Int64] {
        let mine = window.lazy.filter(\.done).map(\.offset)
        guard !skip.isEmpty else { return Array(mine) }
        let low = watermark
        return Set(mine).union(skip.lazy.filter { $0 > low }).sorted()
    }

    /// Records taken and not complete.
    public var outstanding: Int { window.lazy.filter { !$0.done }.count }

    /// Whether every taken record is complete.
    public var isIdle: Bool { window.isEmpty }
}

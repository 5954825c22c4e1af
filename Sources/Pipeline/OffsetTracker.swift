import DequeModule

/// Tracks one partition's records from the moment they are taken until their result is
/// durably in Kafka, and answers the one question commits need: the highest offset below
/// which every record is complete (the contiguous watermark).
///
/// Offsets may have gaps (compaction, transaction markers): the watermark is the offset
/// of the oldest incomplete record, or one past the newest taken record when all are done.
package struct OffsetTracker: Sendable, Equatable {
    /// Records taken and not yet released from the front, in offset order.
    private var window: Deque<Entry> = []
    /// One past the newest offset taken; the watermark when nothing is outstanding.
    package private(set) var nextOffset: Int64
    /// Offsets a previous owner completed above its committed watermark (from the commit
    /// metadata), skipped on sight: ascending, disjoint ranges, consumed from the front as
    /// the watermark passes them, so a completion costs O(1) amortised however many there are.
    package private(set) var skip: Deque<ClosedRange<Int64>>

    struct Entry: Sendable, Equatable {
        var offset: Int64
        var done: Bool
    }

    /// Starts at a committed offset, with the completed offsets recorded in its metadata.
    package init(committed: Int64, completedAbove: Set<Int64> = []) {
        self.init(committed: committed, completedRanges: completedAbove.sorted().map { $0...$0 })
    }

    /// Starts at a committed offset, with the completed ranges recorded in its metadata
    /// (``CommitMetadata/parse(_:committed:end:)``); ranges below `committed` are dropped,
    /// the rest sorted and merged.
    package init(committed: Int64, completedRanges: some Sequence<ClosedRange<Int64>>) {
        nextOffset = committed
        var merged: Deque<ClosedRange<Int64>> = []
        for r in completedRanges.sorted(by: { $0.lowerBound < $1.lowerBound }) where r.upperBound >= committed {
            merged.appendMerging(max(r.lowerBound, committed)...r.upperBound)
        }
        skip = merged
    }

    /// Records that `offset` was taken. Returns false for an offset at or below one
    /// already taken (a redelivery), which the caller must ignore.
    package mutating func take(_ offset: Int64) -> Bool {
        guard offset >= nextOffset || (window.isEmpty && nextOffset < 0) else { return false }
        window.append(Entry(offset: offset, done: false))
        nextOffset = offset + 1
        return true
    }

    /// Whether a previous owner already completed `offset` (from the commit metadata).
    package func wasCompletedBefore(_ offset: Int64) -> Bool {
        // Binary search: the ranges are ascending and disjoint.
        var lo = 0
        var hi = skip.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            let r = skip[mid]
            if r.contains(offset) { return true }
            if r.upperBound < offset { lo = mid + 1 } else { hi = mid - 1 }
        }
        return false
    }

    /// Marks a taken offset complete.
    package mutating func complete(_ offset: Int64) {
        // Binary search: the window is sorted by offset.
        var lo = 0
        var hi = window.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            let o = window[mid].offset
            if o == offset {
                window[mid].done = true
                break
            }
            if o < offset { lo = mid + 1 } else { hi = mid - 1 }
        }
        while let first = window.first, first.done { window.removeFirst() }
        // Forget only the skip offsets below the watermark: those above it that were not
        // fetched yet are still the previous owner's completions, to skip and to carry on.
        let low = watermark
        while let first = skip.first, first.lowerBound < low {
            skip.removeFirst()
            if first.upperBound >= low {
                skip.prepend(low...first.upperBound)
                break
            }
        }
    }

    /// The offset to commit: every record below it is complete.
    package var watermark: Int64 { window.first?.offset ?? nextOffset }

    /// Completed offsets above the watermark (to record in the commit metadata), in order:
    /// this owner's completions and the previous owners' (from the assigned metadata) not
    /// fetched yet, so a commit never drops a completion a predecessor recorded. Expands the
    /// ranges: for tests; commits use ``completedRangesAboveWatermark``.
    package var completedAboveWatermark: [Int64] {
        completedRangesAboveWatermark.flatMap { Array($0) }
    }

    /// ``completedAboveWatermark`` as ascending, disjoint ranges, at most
    /// ``CommitMetadata/maxRanges`` of them (the most the commit metadata holds).
    package var completedRangesAboveWatermark: [ClosedRange<Int64>] {
        let low = watermark
        var out: [ClosedRange<Int64>] = []
        func add(_ r: ClosedRange<Int64>) {
            guard r.upperBound > low else { return }
            out.appendMerging(max(r.lowerBound, low + 1)...r.upperBound)
        }
        // Merge the window's done offsets and the skip ranges, both ascending.
        var s = skip.startIndex
        for entry in window where entry.done {
            while s < skip.endIndex, skip[s].lowerBound <= entry.offset {
                add(skip[s])
                s += 1
                if out.count > CommitMetadata.maxRanges { return Array(out.prefix(CommitMetadata.maxRanges)) }
            }
            add(entry.offset...entry.offset)
            if out.count > CommitMetadata.maxRanges { return Array(out.prefix(CommitMetadata.maxRanges)) }
        }
        while s < skip.endIndex, out.count <= CommitMetadata.maxRanges {
            add(skip[s])
            s += 1
        }
        return Array(out.prefix(CommitMetadata.maxRanges))
    }

    /// Records taken and not complete.
    package var outstanding: Int { window.lazy.filter { !$0.done }.count }

    /// Whether every taken record is complete.
    package var isIdle: Bool { window.isEmpty }
}

import Pipeline
import Testing

@Suite("Offsets are the checkpoints")
struct OffsetTrackerTests {
    @Test("the watermark is the oldest incomplete offset, and moves when it completes")
    func contiguousWatermark() {
        var t = OffsetTracker(committed: 100)
        for o: Int64 in 100...104 { #expect(take(&t, o)) }
        #expect(t.watermark == 100)
        t.complete(101)
        t.complete(103)
        #expect(t.watermark == 100)
        #expect(Array(t.completedAboveWatermark) == [101, 103])
        t.complete(100)
        #expect(t.watermark == 102)
        #expect(Array(t.completedAboveWatermark) == [103])
        t.complete(102)
        t.complete(104)
        #expect(t.watermark == 105)
        #expect(t.isIdle)
    }

    @Test("gaps in offsets (compaction, transaction markers) do not stall the watermark")
    func gaps() {
        var t = OffsetTracker(committed: 0)
        #expect(take(&t, 0))
        #expect(take(&t, 5))
        #expect(take(&t, 9))
        t.complete(0)
        t.complete(5)
        #expect(t.watermark == 9)
        t.complete(9)
        #expect(t.watermark == 10)
    }

    @Test("redelivered offsets are refused")
    func redelivery() {
        var t = OffsetTracker(committed: 10)
        #expect(take(&t, 10))
        #expect(take(&t, 11))
        #expect(!take(&t, 11))
        #expect(!take(&t, 3))
    }

    @Test("a partition with nothing committed starts at the first offset it sees")
    func nothingCommitted() {
        var t = OffsetTracker(committed: -1)
        #expect(take(&t, 42))
        #expect(t.watermark == 42)
        t.complete(42)
        #expect(t.watermark == 43)
    }

    @Test("offsets completed by a previous owner are skipped on sight")
    func skipFromMetadata() {
        var t = OffsetTracker(committed: 50, completedAbove: [52, 53, 40])
        #expect(!t.wasCompletedBefore(40), "below the committed offset: meaningless")
        #expect(take(&t, 50))
        #expect(take(&t, 51))
        #expect(take(&t, 52))
        #expect(t.wasCompletedBefore(52))
        #expect(!t.wasCompletedBefore(51))
    }

    @Test("skip offsets not fetched yet survive the window draining")
    func skipSurvivesDrainedWindow() {
        var t = OffsetTracker(committed: 50, completedAbove: [53, 60, 61])
        #expect(take(&t, 50))
        #expect(take(&t, 51))
        t.complete(50)
        t.complete(51)
        #expect(t.isIdle, "every record taken so far is complete")
        #expect(t.wasCompletedBefore(53), "53 was not fetched yet: still the previous owner's completion")
        #expect(t.wasCompletedBefore(60) && t.wasCompletedBefore(61))
        #expect(take(&t, 52))
        #expect(take(&t, 53))
        t.complete(53)
        #expect(t.watermark == 52)
        t.complete(52)
        #expect(!t.wasCompletedBefore(53), "below the watermark now: forgotten")
        #expect(t.wasCompletedBefore(60))
    }

    @Test("the completed offsets for the commit metadata include a predecessor's not fetched yet")
    func metadataCarriesPredecessorCompletions() {
        var t = OffsetTracker(committed: 100, completedAbove: [105, 106, 110])
        #expect(t.completedAboveWatermark == [105, 106, 110], "before anything is fetched")
        #expect(take(&t, 100))
        #expect(take(&t, 101))
        t.complete(101)
        #expect(t.completedAboveWatermark == [101, 105, 106, 110])
        t.complete(100)
        #expect(t.watermark == 102)
        #expect(t.completedAboveWatermark == [105, 106, 110])
        #expect(
            CommitMetadata.decode(
                CommitMetadata.encode(watermark: t.watermark, completed: t.completedAboveWatermark),
                committed: 102) == [105, 106, 110])
    }
}

@Suite("Commit metadata")
struct CommitMetadataTests {
    @Test("completed offsets round-trip as compact base-36 ranges")
    func roundTrip() throws {
        let completed: [Int64] = [1201, 1203, 1204, 1205, 1300, 1301, 5000]
        let text = try #require(CommitMetadata.encode(watermark: 1200, completed: completed))
        #expect(text == "cg1:1200:1,3-5,2s-2t," + String(3800, radix: 36))
        #expect(CommitMetadata.decode(text, committed: 1200) == Set(completed))
    }

    @Test("nothing completed above the watermark means no metadata")
    func empty() {
        #expect(CommitMetadata.encode(watermark: 7, completed: []) == nil)
        #expect(CommitMetadata.encode(watermark: 7, completed: [3, 7]) == nil)
    }

    @Test("stale, foreign and malformed metadata is ignored")
    func ignored() {
        #expect(CommitMetadata.decode("cg1:1200:1,3-5", committed: 0).isEmpty, "a replay reset the offset")
        #expect(CommitMetadata.decode("hello", committed: 1200).isEmpty)
        #expect(CommitMetadata.decode("cg1:1200:zz-1", committed: 1200).isEmpty)
        #expect(CommitMetadata.decode(nil, committed: 1200).isEmpty)
    }

    @Test("metadata never exceeds the broker's limit; what does not fit is only redone")
    func bounded() throws {
        let completed = stride(from: Int64(2), to: 200_000, by: 2).map { $0 }
        let text = try #require(CommitMetadata.encode(watermark: 0, completed: completed))
        #expect(text.utf8.count <= CommitMetadata.maxBytes)
        let decoded = CommitMetadata.decode(text, committed: 0)
        #expect(decoded.count > 100)
        #expect(decoded.isSubset(of: Set(completed)))
    }
}

@Suite("Budget shares")
struct BudgetShareTests {
    /// Partitions dealt as the member's round-robin assignor deals them: `k`, `k + m`, ...
    static func roundRobin(members m: Int, partitions: Int) -> [[Int32]] {
        (0..<m).map { k in stride(from: k, to: partitions, by: m).map(Int32.init) }
    }

    @Test("three members over eight partitions share the group's budgets exactly")
    func threeMembers() {
        let shares = Self.roundRobin(members: 3, partitions: 8).map {
            BudgetShare(maxWorkers: 20, rate: 10, burst: 20, partitions: $0, total: 8)
        }
        #expect(shares.map(\.maxInFlight) == [8, 7, 5])
        #expect(shares.map(\.maxInFlight).reduce(0, +) == 20)
        #expect(abs(shares.map(\.ratePerSecond).reduce(0, +) - 10) < 1e-9)
        #expect(abs(shares.map(\.burst).reduce(0, +) - 20) < 1e-9)
    }

    @Test("a member owning nothing gets nothing; one owning everything gets it all")
    func extremes() {
        #expect(BudgetShare(maxWorkers: 20, rate: 10, burst: 20, partitions: [Int32](), total: 8).maxInFlight == 0)
        let all = BudgetShare(maxWorkers: 20, rate: 10, burst: 20, partitions: Array(Int32(0)..<8), total: 8)
        #expect(all.maxInFlight == 20 && all.ratePerSecond == 10 && all.burst == 20)
    }

    @Test("an unknown partition count gives no share, never the whole budget")
    func unknownTotal() {
        let share = BudgetShare(maxWorkers: 20, rate: 10, burst: 20, partitions: [0, 1, 2, 3], total: 0)
        #expect(share.maxInFlight == 0 && share.ratePerSecond == 0 && share.burst == 0)
        #expect(!share.isStarved, "unknown is not starved")
    }

    @Test("four members over eight partitions with a budget of 2: two get a slot, two are starved, 2 in all")
    func moreMembersThanSlots() {
        let shares = Self.roundRobin(members: 4, partitions: 8).map {
            BudgetShare(maxWorkers: 2, rate: 10, burst: 20, partitions: $0, total: 8)
        }
        #expect(shares.map(\.maxInFlight) == [1, 1, 0, 0])
        #expect(shares.map(\.isStarved) == [false, false, true, true])
        #expect(shares.map(\.ratePerSecond).reduce(0, +) <= 10 + 1e-9)
        #expect(shares.map(\.burst).reduce(0, +) <= 20 + 1e-9)
        #expect(shares[2].burst == 0 && shares[2].ratePerSecond == 0)
        // With the rate limit on, whole calls of burst carry shares too.
        let byBurst = Self.roundRobin(members: 4, partitions: 8).map {
            BudgetShare(maxWorkers: 20, rate: 10, burst: 3, partitions: $0, total: 8)
        }
        #expect(byBurst.map(\.isStarved) == [false, false, false, true])
        #expect(byBurst.map(\.maxInFlight).reduce(0, +) <= 20)
        #expect(byBurst.allSatisfy { $0.isStarved || $0.burst >= 1 }, "a member with a share can make a call")
    }

    @Test("any members over any disjoint split of the partitions never exceed any budgets", arguments: 0..<200)
    func anySplit(seed: Int) {
        var rng = SplitMixForTests(seed: UInt64(seed))
        let total = Int(rng.next() % 24) + 1
        let workers = Int(rng.next() % 40) + 1
        let burst = Double(rng.next() % 30) + Double(rng.next() % 10) / 10
        let rate = Double(rng.next() % 100) / 3
        let rateEnabled = rng.next() % 4 != 0
        let members = Int(rng.next() % UInt64(total + 2)) + 1
        // Each partition to one member, or to nobody (a partition between owners).
        var owned = Array(repeating: [Int32](), count: members)
        for p in 0..<total {
            let k = Int(rng.next() % UInt64(members + 1))
            if k < members { owned[k].append(Int32(p)) }
        }
        let shares = owned.map {
            BudgetShare(maxWorkers: workers, rate: rate, burst: burst, rateEnabled: rateEnabled, partitions: $0, total: total)
        }
        #expect(shares.map(\.maxInFlight).reduce(0, +) <= workers)
        #expect(shares.map(\.ratePerSecond).reduce(0, +) <= rate * (1 + 1e-9))
        if rateEnabled {
            #expect(shares.map(\.burst).reduce(0, +) <= burst * (1 + 1e-9))
            #expect(shares.allSatisfy { $0.maxInFlight == 0 || $0.burst >= 1 - 1e-9 })
        }
        // With no more members than carriers and the round-robin deal, everyone has a share.
        let carriers = BudgetShare.carriers(maxWorkers: workers, burst: burst, rateEnabled: rateEnabled, total: total)
        let dealt = Self.roundRobin(members: min(members, max(carriers, 1)), partitions: total)
        if carriers > 0 {
            #expect(
                dealt.allSatisfy {
                    BudgetShare(maxWorkers: workers, rate: rate, burst: burst, rateEnabled: rateEnabled, partitions: $0, total: total).maxInFlight > 0
                })
        }
    }
}

/// A small deterministic generator for the property tests.
struct SplitMixForTests {
    var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state = state &+ 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// `#expect` cannot call a mutating method directly.
private func take(_ t: inout OffsetTracker, _ offset: Int64) -> Bool { t.take(offset) }

@Suite("Commit metadata from anyone")
struct AdversarialCommitMetadataTests {
    @Test("a delta of Int64.max above a non-zero watermark is ignored, not a trap", .timeLimit(.minutes(1)))
    func overflowingDelta() {
        #expect(CommitMetadata.decode("cg1:5:1y2p0ij32e8e7", committed: 5).isEmpty)
        #expect(CommitMetadata.decode("cg1:9223372036854775000:1y2p0ij32e8e7", committed: 9_223_372_036_854_775_000).isEmpty)
        #expect(CommitMetadata.parse("cg1:5:1y2p0ij32e8e7", committed: 5) == .foreign)
        #expect(CommitMetadata.parse("cg1:5:1-1y2p0ij32e8e8", committed: 5) == .foreign, "past Int64.max")
        #expect(CommitMetadata.parse("cg1:5:" + String(repeating: "z", count: 40), committed: 5) == .foreign)
    }

    @Test("240 ranges of a million offsets decode at once, clipped to the partition's end", .timeLimit(.minutes(1)))
    func hugeRanges() {
        let million = Int64(1_000_000)
        let pieces = (0..<Int64(240)).map { i in
            String(1 + i * (million + 1), radix: 36) + "-" + String(1 + i * (million + 1) + million - 1, radix: 36)
        }
        let text = "cg1:100:" + pieces.joined(separator: ",")
        #expect(text.utf8.count <= CommitMetadata.maxBytes)
        let started = ContinuousClock.now
        let unclipped = CommitMetadata.parse(text, committed: 100)
        #expect(unclipped.ranges.count == 240)
        #expect(unclipped.count == 240 * million, "counted, never expanded")
        let clipped = CommitMetadata.parse(text, committed: 100, end: 150)
        #expect(clipped.ranges == [101...149], "only offsets that exist can have been completed")
        #expect(CommitMetadata.parse(text, committed: 100, end: 100).ranges.isEmpty)
        #expect(CommitMetadata.parse(text, committed: 100, end: 100) != .foreign)
        // The old decoder inserted 2.4·10⁸ offsets here; this is a handful of string splits.
        #expect(CommitMetadata.decode(text, committed: 100, limit: 10).count == 10)
        #expect(ContinuousClock.now - started < .seconds(20))
    }

    @Test("a megabyte of metadata, out-of-order ranges and other tools' strings are foreign", .timeLimit(.minutes(1)))
    func foreign() {
        let megabyte = "cg1:0:" + Array(repeating: "1", count: 500_000).joined(separator: ",")
        #expect(CommitMetadata.parse(megabyte, committed: 0) == .foreign)
        #expect(CommitMetadata.parse(String(repeating: "x", count: 1_000_000), committed: 0) == .foreign)
        #expect(CommitMetadata.parse("cg1:0:" + String(repeating: "a", count: CommitMetadata.maxBytes), committed: 0) == .foreign)
        #expect(CommitMetadata.parse("cg1:0:5,3", committed: 0) == .foreign, "descending")
        #expect(CommitMetadata.parse("cg1:0:1-5,3", committed: 0) == .foreign, "overlapping")
        #expect(CommitMetadata.parse("cg1:0:0", committed: 0) == .foreign, "a zero delta is the committed offset itself")
        #expect(CommitMetadata.parse("cg1:0:1,,2", committed: 0) == .foreign)
        #expect(CommitMetadata.parse("cg1:-4:1", committed: -4) == .foreign)
        #expect(CommitMetadata.parse("cg1:x:1", committed: 0) == .foreign)
        #expect(CommitMetadata.parse("cg1:0:-1", committed: 0) == .foreign)
        #expect(CommitMetadata.parse("{\"tool\":\"mirror-maker\"}", committed: 0) == .foreign)
        #expect(CommitMetadata.parse("", committed: 0) == .none)
        #expect(CommitMetadata.parse(nil, committed: 0) == .none)
        #expect(CommitMetadata.parse("cg1:7:1", committed: 0) == .stale)
        #expect(CommitMetadata.parse("cg1:7:1,3-5", committed: 7, end: 12) == .completed([8...8, 10...11]))
    }

    @Test("what we write reads back as ranges, and ranges encode within the limit")
    func rangesRoundTrip() throws {
        let text = try #require(CommitMetadata.encode(watermark: 1200, ranges: [1201...1201, 1203...1205, 1300...1301]))
        #expect(text == "cg1:1200:1,3-5,2s-2t")
        #expect(CommitMetadata.parse(text, committed: 1200) == .completed([1201...1201, 1203...1205, 1300...1301]))
        let many = (0..<Int64(5_000)).map { (10 * $0 + 1)...(10 * $0 + 5) }
        let long = try #require(CommitMetadata.encode(watermark: 0, ranges: many))
        #expect(long.utf8.count <= CommitMetadata.maxBytes)
        let back = CommitMetadata.parse(long, committed: 0).ranges
        #expect(back.count > 100 && back == Array(many.prefix(back.count)))
    }
}

@Suite("Skip marks at scale")
struct SkipMarkScaleTests {
    @Test("100,000 single-offset skip marks: each completion costs O(1), not a scan of the set", .timeLimit(.minutes(1)))
    func manySkipMarks() {
        // Every other offset was completed by a previous owner: 100,000 separate marks.
        let marks = Set(stride(from: Int64(1), to: 200_000, by: 2))
        var t = OffsetTracker(committed: 0, completedAbove: marks)
        var skipped = 0
        for o in Int64(0)..<200_000 {
            _ = t.take(o)
            if t.wasCompletedBefore(o) { skipped += 1 }
            t.complete(o)
        }
        #expect(skipped == 100_000)
        #expect(t.watermark == 200_000)
        #expect(t.completedAboveWatermark.isEmpty)
        #expect(!t.wasCompletedBefore(199_999), "consumed: below the watermark")
    }

    @Test("marks above what was fetched survive and are carried, as ranges, into the next commit")
    func carriedAsRanges() throws {
        var t = OffsetTracker(committed: 0, completedRanges: [5...1_000_000, 2_000_000...3_000_000])
        #expect(take(&t, 0))
        #expect(take(&t, 1))
        t.complete(1)
        #expect(t.completedRangesAboveWatermark == [1...1, 5...1_000_000, 2_000_000...3_000_000])
        t.complete(0)
        #expect(t.completedRangesAboveWatermark == [5...1_000_000, 2_000_000...3_000_000])
        let text = try #require(CommitMetadata.encode(watermark: t.watermark, ranges: t.completedRangesAboveWatermark))
        #expect(CommitMetadata.parse(text, committed: 2).ranges == [5...1_000_000, 2_000_000...3_000_000])
        for o in Int64(2)...6 {
            #expect(take(&t, o))
            t.complete(o)
        }
        #expect(t.watermark == 7)
        #expect(t.wasCompletedBefore(7) && t.wasCompletedBefore(2_500_000) && !t.wasCompletedBefore(1_500_000))
        // 7 is the commit point itself: metadata records only offsets above it (as before).
        #expect(t.completedRangesAboveWatermark == [8...1_000_000, 2_000_000...3_000_000])
    }
}

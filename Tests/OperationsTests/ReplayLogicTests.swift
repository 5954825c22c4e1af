import Foundation
import Kafka
import Operations
import Testing

@Suite("ISO-8601 timestamps for replay and status")
struct ISO8601TimestampTests {
    @Test(
        "accepted forms give the right instant",
        arguments: [
            ("2026-11-23T00:00:00Z", 1_795_392_000_000),
            ("2026-11-23", 1_795_392_000_000),
            ("2026-11-23T00:00Z", 1_795_392_000_000),
            ("2026-11-23 00:00:00z", 1_795_392_000_000),
            ("2026-11-23T05:30:00+05:30", 1_795_392_000_000),
            ("2026-11-22T16:00:00-0800", 1_795_392_000_000),
            ("2026-11-23T01:00:00+01", 1_795_392_000_000),
            ("2026-11-23T00:00:00.250Z", 1_795_392_000_250),
            ("2026-11-23T00:00:00.1Z", 1_795_392_000_100),
            ("2026-11-23T00:00:00.123456789Z", 1_795_392_000_123),
            ("1970-01-01T00:00:00Z", 0),
            ("2024-02-29T12:00:00Z", 1_709_208_000_000),
        ] as [(String, Int64)])
    func accepted(text: String, expected: Int64) throws {
        #expect(try ISO8601Timestamp.parse(text) == expected, "\(text)")
    }

    @Test(
        "malformed or impossible values are refused with a reason",
        arguments: [
            ("2026-13-01", "month 13"),
            ("2026-02-29", "day 29 does not exist"),
            ("2026-11-23T24:00:00Z", "hour 24"),
            ("2026-11-23T10:60Z", "minute 60"),
            ("2026-11-23T10:00:00", "needs a zone"),
            ("2026-11-23T10:00:00.Z", "fractional"),
            ("2026/11/23", "expected a date"),
            ("2026-11-23T10:00:00Zjunk", "unexpected text"),
            ("yesterday", "expected a date"),
        ])
    func refused(text: String, reason: String) {
        do {
            _ = try ISO8601Timestamp.parse(text)
            Issue.record("\(text) was accepted")
        } catch {
            #expect(error.code == .invalidTimestamp)
            #expect(error.message.contains(reason), "\(error.message)")
            #expect(error.message.contains(text))
        }
    }

    @Test("format is the inverse of parse")
    func roundTrip() throws {
        for ms: Int64 in [0, 1_795_392_000_000, 1_795_392_000_250, 951_782_400_000, 4_102_444_799_999] {
            #expect(try ISO8601Timestamp.parse(ISO8601Timestamp.format(milliseconds: ms)) == ms)
        }
        #expect(ISO8601Timestamp.format(milliseconds: 1_795_392_000_000) == "2026-11-23T00:00:00Z")
        #expect(ISO8601Timestamp.formatMinutes(milliseconds: 1_795_996_800_000) == "2026-11-30T00:00Z")
    }
}

@Suite("replay targets and the plan")
struct ReplayPlanTests {
    static let topic = "spends"
    static func tp(_ p: Int32) -> KafkaTopicPartition { KafkaTopicPartition(topic: topic, partition: p) }
    /// p0: [0, 100) committed 80 with metadata; p1: [10, 50) committed 50; p2: [0, 30) nothing committed.
    static let ranges = [
        PartitionRange(topicPartition: tp(0), low: 0, high: 100),
        PartitionRange(topicPartition: tp(1), low: 10, high: 50),
        PartitionRange(topicPartition: tp(2), low: 0, high: 30),
    ]
    static let committed: [KafkaTopicPartition: KafkaPartitionOffset] = [
        tp(0): KafkaPartitionOffset(topicPartition: tp(0), offset: 80, metadata: "cg1:80:2,4-6"),
        tp(1): KafkaPartitionOffset(topicPartition: tp(1), offset: 50),
        tp(2): KafkaPartitionOffset(topicPartition: tp(2), offset: KafkaOffset.invalid),
    ]

    static func plan(
        _ target: ReplayTarget, selected: Set<Int32>? = nil,
        resolved: [KafkaTopicPartition: (offset: Int64, method: String)] = [:]
    ) throws -> ReplayPlan {
        try ReplayPlan.compute(
            topic: topic, groupID: "g", target: target, ranges: ranges, committed: committed,
            selected: selected, resolved: resolved)
    }

    @Test("--to parses keywords, offsets and timestamps; refuses the rest")
    func parseTo() throws {
        #expect(try ReplayTarget.parse(to: "earliest") == .earliest)
        #expect(try ReplayTarget.parse(to: "LATEST") == .latest)
        #expect(try ReplayTarget.parse(to: "1200") == .offset(1200))
        #expect(try ReplayTarget.parse(to: "2026-11-23") == .timestamp(1_795_392_000_000))
        #expect(try ReplayTarget.parse(to: "2026-11-23T05:30:00+05:30") == .timestamp(1_795_392_000_000))
        for bad in ["", "soon", "-5", "12ab", "2026-11-23T10:00"] {
            #expect(throws: OperationError.self, "\(bad)") { try ReplayTarget.parse(to: bad) }
        }
        do {
            _ = try ReplayTarget.parse(to: "-5")
        } catch {
            #expect(error.message.contains("--shift-by -5"))
        }
    }

    @Test("earliest: back to the low watermark; counts what is reprocessed")
    func earliest() throws {
        let plan = try Self.plan(.earliest)
        #expect(plan.partitions.map(\.target) == [0, 10, 0])
        #expect(plan.partitions.map(\.reprocess) == [80, 40, 0])
        #expect(plan.totalReprocess == 120)
        #expect(plan.totalSkip == 0)
        #expect(plan.commits.allSatisfy { $0.metadata == nil })
        #expect(plan.untouched.isEmpty)
    }

    @Test("latest: to the high watermark; skips the lag")
    func latest() throws {
        let plan = try Self.plan(.latest)
        #expect(plan.partitions.map(\.target) == [100, 50, 30])
        #expect(plan.partitions.map(\.skip) == [20, 0, 30])
        #expect(plan.totalReprocess == 0)
    }

    @Test("an offset is clamped to [low, high] and the clamp is reported")
    func offsetClamped() throws {
        let plan = try Self.plan(.offset(40))
        #expect(plan.partitions.map(\.target) == [40, 40, 30])
        #expect(plan.partitions.map(\.clamp) == [.none, .none, .toHigh])
        let low = try Self.plan(.offset(5))
        #expect(low.partitions.map(\.target) == [5, 10, 5])
        #expect(low.partitions[1].clamp == .toLow)
        #expect(low.renderTable().contains("clamped: 5 is below the low watermark"))
        #expect(plan.renderTable().contains("clamped: 40 is past the high watermark"))
    }

    @Test("--shift-by moves from the committed offset (or the low watermark), clamped")
    func shift() throws {
        let back = try Self.plan(.shift(-30))
        #expect(back.partitions.map(\.target) == [50, 20, 0])
        #expect(back.partitions.map(\.reprocess) == [30, 30, 0])
        #expect(back.partitions[2].clamp == .toLow)
        let forward = try Self.plan(.shift(15))
        #expect(forward.partitions.map(\.target) == [95, 50, 15])
        #expect(forward.partitions.map(\.skip) == [15, 0, 15])
        let huge = try Self.plan(.shift(Int64.min))
        #expect(huge.partitions.map(\.target) == [0, 10, 0])
    }

    @Test("--partition selects; the rest is left alone; an unknown partition is refused")
    func selection() throws {
        let plan = try Self.plan(.earliest, selected: [1])
        #expect(plan.partitions.map(\.topicPartition.partition) == [1])
        #expect(plan.untouched.map(\.partition) == [0, 2])
        #expect(plan.commits == [KafkaPartitionOffset(topicPartition: Self.tp(1), offset: 10, metadata: nil)])
        #expect(throws: OperationError.self) { try Self.plan(.earliest, selected: [1, 7]) }
    }

    @Test("a timestamp takes the resolved offsets and names the method")
    func timestamp() throws {
        let plan = try Self.plan(
            .timestamp(1),
            resolved: [
                Self.tp(0): (60, "offsets-for-times"), Self.tp(1): (50, "binary search, 6 lookups: every record is older"),
                Self.tp(2): (12, "binary search, 5 lookups"),
            ])
        #expect(plan.partitions.map(\.target) == [60, 50, 12])
        #expect(plan.partitions.map(\.reprocess) == [20, 0, 0])
        #expect(plan.partitions.map(\.skip) == [0, 0, 12])
        let table = plan.renderTable()
        #expect(table.contains("offsets-for-times") && table.contains("binary search, 5 lookups"))
        #expect(table.contains("drops 4 completed-above-commit mark(s)"), "\(table)")
        #expect(throws: OperationError.self) { try Self.plan(.timestamp(1), resolved: [:]) }
    }
}

@Suite("binary search over record timestamps")
struct TimestampSearchTests {
    /// A fake partition: offsets `low..<high`, timestamps from `timestamps`, holes where `nil`.
    final class FakePartition: @unchecked Sendable {
        let low: Int64
        let records: [Int64: Int64]  // offset → timestamp
        let high: Int64
        var lookups = 0
        init(low: Int64, timestamps: [Int64?]) {
            self.low = low
            var r: [Int64: Int64] = [:]
            for (i, t) in timestamps.enumerated() { if let t { r[low + Int64(i)] = t } }
            records = r
            high = low + Int64(timestamps.count)
        }
        func lookup(_ offset: Int64) -> TimestampSearch.Probe? {
            lookups += 1
            var o = max(offset, low)
            while o < high {
                if let t = records[o] { return .init(offset: o, timestampMs: t) }
                o += 1
            }
            return nil
        }
        /// The answer by linear scan.
        func expected(_ t: Int64) -> Int64 {
            (low..<high).first { records[$0].map { $0 >= t } ?? false } ?? high
        }
    }

    @Test("finds the first offset at or after T in O(log n) lookups, for every T")
    func exhaustive() async throws {
        // Two batches with a pause: 500 records at 1000…1499, then 300 at 9000…9299, some equal stamps.
        let stamps: [Int64?] = (0..<500).map { Int64(1000 + $0 / 2) } + (0..<300).map { Int64(9000 + $0) }
        let fake = FakePartition(low: 200, timestamps: stamps)
        for t: Int64 in [0, 999, 1000, 1001, 1100, 1249, 1250, 5000, 9000, 9001, 9299, 9300, 100_000] {
            fake.lookups = 0
            let result = try await TimestampSearch.firstOffset(atOrAfter: t, low: fake.low, high: fake.high) { fake.lookup($0) }
            #expect(result.offset == fake.expected(t), "T=\(t)")
            #expect(result.lookups == fake.lookups)
            #expect(result.lookups <= 11, "T=\(t): \(result.lookups) lookups for 800 records")
        }
    }

    @Test("holes (compacted offsets, markers) and an empty partition")
    func holes() async throws {
        let fake = FakePartition(low: 0, timestamps: [10, nil, nil, 20, nil, 30, 30, nil, 40, nil])
        for t: Int64 in [5, 10, 11, 20, 21, 30, 31, 40, 41] {
            let result = try await TimestampSearch.firstOffset(atOrAfter: t, low: 0, high: fake.high) { fake.lookup($0) }
            // Starting at the answer reads exactly the records with timestamp >= t.
            let read = (result.offset..<fake.high).compactMap { fake.records[$0] }
            let want = (0..<fake.high).compactMap { fake.records[$0] }.filter { $0 >= t }
            #expect(read == want, "T=\(t): answer \(result.offset)")
        }
        let empty = try await TimestampSearch.firstOffset(atOrAfter: 5, low: 7, high: 7) { _ in
            Issue.record("no lookup expected")
            return nil
        }
        #expect(empty.offset == 7 && empty.lookups == 0)
    }
}

@Suite("status figures: lag, drain time, cohort")
struct StatusLogicTests {
    static func tp(_ p: Int32) -> KafkaTopicPartition { KafkaTopicPartition(topic: "t", partition: p) }

    @Test("lag per partition and totals, with completed-above-commit marks")
    func lag() {
        let status = GroupStatus(
            topic: "t", groupID: "g",
            ranges: [
                PartitionRange(topicPartition: Self.tp(0), low: 0, high: 100),
                PartitionRange(topicPartition: Self.tp(1), low: 20, high: 50),
                PartitionRange(topicPartition: Self.tp(2), low: 0, high: 0),
            ],
            committed: [
                Self.tp(0): KafkaPartitionOffset(topicPartition: Self.tp(0), offset: 70, metadata: "cg1:70:1,3-5"),
                Self.tp(1): KafkaPartitionOffset(topicPartition: Self.tp(1), offset: KafkaOffset.invalid),
            ])
        #expect(status.partitions.map(\.lag) == [30, 30, 0])
        #expect(status.partitions.map(\.committed) == [70, nil, nil])
        #expect(status.partitions.map(\.completedAboveCommit) == [4, 0, 0])
        #expect(status.totalLag == 60)
        #expect(status.totalEnd == 150)
        #expect(status.totalCompletedAboveCommit == 4)
        #expect(status.hasCommits)
    }

    @Test("time to drain = lag / min(rate, workers / latency)")
    func drain() {
        func estimate(lag: Int64, rate: Double, workers: Int, latency: Double) -> DrainEstimate {
            DrainEstimate(lag: lag, rate: .init(rate, source: "r"), workers: .init(workers, source: "w"), latencySeconds: .init(latency, source: "l"))
        }
        let rateBound = estimate(lag: 36_000, rate: 10, workers: 20, latency: 1.5)
        #expect(rateBound.throughput == 10)
        #expect(rateBound.seconds == 3600)
        #expect(rateBound.limitedBy == "rate")
        let workerBound = estimate(lag: 1000, rate: 50, workers: 20, latency: 2)
        #expect(workerBound.throughput == 10)
        #expect(workerBound.seconds == 100)
        #expect(workerBound.limitedBy == "workers")
        let unlimited = estimate(lag: 3000, rate: .infinity, workers: 30, latency: 1.5)
        #expect(unlimited.seconds == 150)
        #expect(estimate(lag: 0, rate: 10, workers: 1, latency: 1).seconds == 0)
        let (ok, margin) = rateBound.drains(nowMs: 0, beforeMs: 7_200_000)
        #expect(ok && margin == 3600)
        #expect(rateBound.drains(nowMs: 0, beforeMs: 1_800_000).drains == false)
        #expect(DurationText.format(seconds: 11_520) == "3 h 12 min")
        #expect(DurationText.format(seconds: 245) == "4 min 5 s")
        #expect(DurationText.format(seconds: 183_600) == "2 d 3 h")
    }

    @Test("the next cohort is the next Monday 00:00 UTC, strictly after now")
    func nextMonday() throws {
        // Sunday 2026-11-29 08:46 UTC → Monday 2026-11-30.
        let sunday = try ISO8601Timestamp.parse("2026-11-29T08:46:00Z")
        #expect(CohortSchedule.nextMonday(after: sunday) == (try ISO8601Timestamp.parse("2026-11-30")))
        // Monday 00:00 exactly → the Monday after.
        let monday = try ISO8601Timestamp.parse("2026-11-30T00:00:00Z")
        #expect(CohortSchedule.nextMonday(after: monday) == (try ISO8601Timestamp.parse("2026-12-07")))
        // Monday 00:00:00.001 → the Monday after as well.
        #expect(CohortSchedule.nextMonday(after: monday + 1) == (try ISO8601Timestamp.parse("2026-12-07")))
        let wednesday = try ISO8601Timestamp.parse("2026-12-02T23:59:59Z")
        #expect(CohortSchedule.nextMonday(after: wednesday) == (try ISO8601Timestamp.parse("2026-12-07")))
    }

    @Test("replay progress: done, rate and ETA from committed readings")
    func progress() {
        var p = ReplayProgress(spans: [
            .init(topicPartition: Self.tp(0), start: 0, end: 100),
            .init(topicPartition: Self.tp(1), start: 50, end: 150),
        ])
        let first = p.update(committed: [Self.tp(0): 0, Self.tp(1): 50], at: 0)
        #expect(first.done == 0 && first.total == 200 && first.rate == nil && !first.isComplete)
        let second = p.update(committed: [Self.tp(0): 40, Self.tp(1): 90], at: 4)
        #expect(second.done == 80)
        #expect(second.rate == 20)
        #expect(second.etaSeconds == 6)
        let last = p.update(committed: [Self.tp(0): 100, Self.tp(1): 170], at: 8)
        #expect(last.done == 200 && last.isComplete && last.finishedPartitions == 2)
    }
}

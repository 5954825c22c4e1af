import Foundation
import Kafka
import ProcessTestSupport
import Settings
import Testing

@testable import CardGeniusApp

/// `tail`'s reader in this process against the dev broker: what it prints and what the group
/// commits. The group split and the SIGKILL take-over across processes stay in CLITests.
@Suite("Tail job", .serialized)
struct TailJobTests {
    /// A partition and offset, as a printed line names it.
    struct Position: Hashable, Comparable, CustomStringConvertible {
        var partition: Int32
        var offset: Int64
        static func < (a: Position, b: Position) -> Bool { (a.partition, a.offset) < (b.partition, b.offset) }
        var description: String { "\(partition):\(offset)" }
    }

    /// A line `tail` printed: the record's position and its value (as text when not JSON).
    struct Printed {
        var position: Position
        var value: String
    }

    /// Runs `job` to its end and returns the records it printed, checking that every line it
    /// printed is one record.
    static func printed(_ job: TailJob) async throws -> [Printed] {
        let chunks = Collected<String>()
        var job = job
        job.output = { chunks.append([$0]) }
        try await job.run()
        let lines = chunks.records.joined().split(separator: "\n")
        return try lines.map { line in
            let o = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not a record: \(line)")
            let position = Position(partition: Int32(try #require(o["partition"] as? Int)), offset: Int64(try #require(o["offset"] as? Int)))
            return Printed(position: position, value: o["value"] as? String ?? "")
        }
    }

    /// What a member of `group` reads next: a tail in the group, not committing, until idle.
    static func readNext(_ bootstrap: String, group: String, topic: String) async throws -> [Printed] {
        var settings = ServiceSettings()
        settings.kafka.bootstrapServers = bootstrap
        var job = TailJob(settings: settings, topic: topic, logger: AppHarness.logger())
        job.group = group
        job.exitWhenIdle = .seconds(2)
        return try await printed(job)
    }

    @Test("a restarted tail in the same group with commit prints only what the first did not, and both commit what they printed")
    func committedOffsetsSurviveRestart() async throws {
        let partitions: Int32 = 3
        let perPartition = 10
        let firstRun = 13
        let cluster = try KafkaMockCluster(brokers: 1, logger: AppHarness.logger())
        try cluster.createTopic("spends", partitions: partitions)
        let bootstrap = cluster.bootstrapServers
        try await AppHarness.publish(
            bootstrap,
            (0..<(Int(partitions) * perPartition)).map { i in
                KafkaProducerRecord(
                    topic: "spends", partition: Int32(i) % partitions, key: Array("user-\(i)".utf8),
                    value: Array(#"{"n":\#(i)}"#.utf8))
            })
        let everything = Set((0..<partitions).flatMap { p in (0..<Int64(perPartition)).map { Position(partition: p, offset: $0) } })
        var settings = ServiceSettings()
        settings.kafka.bootstrapServers = bootstrap
        let group = TestLogging.unique("tail-restart")
        var job = TailJob(settings: settings, topic: "spends", logger: AppHarness.logger())
        job.group = group
        job.commit = true

        // Run 1: reads `firstRun` records, commits them, ends by itself.
        var limited = job
        limited.max = firstRun
        let first = try await Self.printed(limited).map(\.position)
        #expect(first.count == firstRun)
        #expect(Set(first).count == firstRun, "no duplicates in one run")

        // What it printed is a prefix of each partition, and that is what the group committed.
        let committed = try await AppHarness.committed(bootstrap, group: group, topic: "spends", partitions: partitions)
        for p in 0..<partitions {
            let offsets = first.filter { $0.partition == p }.map(\.offset).sorted()
            #expect(offsets == Array(0..<Int64(offsets.count)), "partition \(p) read in order from 0: \(offsets)")
            if offsets.isEmpty {
                #expect((committed[p] ?? -1) < 0, "partition \(p): nothing read, nothing committed")
            } else {
                #expect(committed[p] == Int64(offsets.count), "partition \(p): committed \(committed[p] ?? -1)")
            }
        }

        // Run 2, a new consumer in the same group: starts at the committed offsets.
        var untilIdle = job
        untilIdle.exitWhenIdle = .seconds(2)
        let second = try await Self.printed(untilIdle).map(\.position)
        let firstPositions = Set(first)
        let secondPositions = Set(second)
        #expect(second.count == everything.count - firstRun, "printed \(second.count)")
        #expect(firstPositions.isDisjoint(with: secondPositions), "re-printed \(firstPositions.intersection(secondPositions).sorted())")
        #expect(firstPositions.union(secondPositions) == everything)
        for p in 0..<partitions {
            let start = second.filter { $0.partition == p }.map(\.offset).min()
            let expected = committed[p].map { Swift.max($0, 0) } ?? 0
            if Int64(perPartition) > expected {
                #expect(start == expected, "partition \(p): run 2 starts at \(start ?? -1), committed \(expected)")
            }
        }
        // And run 2 committed the rest.
        let after = try await AppHarness.committed(bootstrap, group: group, topic: "spends", partitions: partitions)
        #expect(after == Dictionary(uniqueKeysWithValues: (0..<partitions).map { ($0, Int64(perPartition)) }))
        await cluster.shutdown()
    }
}

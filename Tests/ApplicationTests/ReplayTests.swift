import Foundation
import Kafka
import Operations
import ProcessTestSupport
import Testing

/// `replay`'s plan and reset in this process against the dev broker: the offsets and metadata
/// the group holds after it, and what a member reads next. Confirmation, refusals, `--dry-run`
/// and flag errors are the command's, and stay in CLITests.
@Suite("Replay", .serialized)
struct ReplayTests {
    static let partitions: Int32 = 3
    typealias Position = TailJobTests.Position

    /// A dev broker whose `spends` topic holds 10 records per partition, values "a-P-I", and
    /// `group`'s commits `offsets`.
    static func withGroup(
        _ group: String, committed offsets: [Int32: (Int64, String?)],
        _ body: (_ bootstrap: String) async throws -> Void
    ) async throws {
        let cluster = try KafkaMockCluster(brokers: 1, logger: AppHarness.logger())
        do {
            try cluster.createTopic("spends", partitions: partitions)
            try await AppHarness.publish(
                cluster.bootstrapServers,
                (0..<partitions).flatMap { p in
                    (0..<10).map { i in
                        KafkaProducerRecord(topic: "spends", partition: p, key: Array("user-\(p)-\(i)".utf8), value: Array("a-\(p)-\(i)".utf8))
                    }
                })
            try await AppHarness.commit(cluster.bootstrapServers, group: group, topic: "spends", offsets)
            try await body(cluster.bootstrapServers)
        } catch {
            await cluster.shutdown()
            throw error
        }
        await cluster.shutdown()
    }

    /// Plans and applies `target` as `replay --yes` does; returns the plan's table.
    static func replay(_ bootstrap: String, group: String, to target: ReplayTarget, partitions: Set<Int32> = []) async throws -> String {
        let executor = ReplayExecutor(KafkaAccess(bootstrapServers: bootstrap, logger: AppHarness.logger()), topic: "spends", groupID: group)
        let plan = try await executor.plan(target: target, partitions: partitions)
        let applied = try await executor.apply(plan)
        #expect(applied.mismatches.isEmpty, "verified: \(applied.mismatches)")
        return plan.renderTable()
    }

    /// The committed offset and metadata per partition (metadata nil when empty).
    static func committed(_ bootstrap: String, group: String) async throws -> [Int32: (offset: Int64, metadata: String?)] {
        let consumer = try KafkaConsumer(configuration: .init(bootstrapServers: bootstrap, groupID: group), logger: AppHarness.logger())
        let list = try await consumer.committed((0..<partitions).map { KafkaTopicPartition(topic: "spends", partition: $0) })
        await consumer.close()
        return Dictionary(
            uniqueKeysWithValues: list.map {
                ($0.topicPartition.partition, (offset: $0.offset, metadata: ($0.metadata?.isEmpty ?? true) ? nil : $0.metadata))
            })
    }

    static func positions(_ ranges: [Int32: Range<Int64>]) -> Set<Position> {
        Set(ranges.flatMap { p, r in r.map { Position(partition: p, offset: $0) } })
    }

    @Test("to earliest: committed offsets go to 0, the cg1 metadata is gone, the group reads everything again")
    func toEarliest() async throws {
        let group = TestLogging.unique("replay-earliest")
        try await Self.withGroup(group, committed: [0: (10, "cg1:10:1"), 1: (10, "cg1:10:2"), 2: (8, "cg1:8:1")]) { bootstrap in
            let table = try await Self.replay(bootstrap, group: group, to: try ReplayTarget.parse(to: "earliest"))
            #expect(table.contains("reprocess 28 record(s)"), "\(table)")
            let after = try await Self.committed(bootstrap, group: group)
            for p in 0..<Self.partitions {
                #expect(after[p]?.offset == 0, "partition \(p): \(String(describing: after[p]))")
                #expect(after[p]?.metadata == nil, "partition \(p) metadata \(after[p]?.metadata ?? "")")
            }
            let next = try await TailJobTests.readNext(bootstrap, group: group, topic: "spends")
            #expect(next.count == 30)
            #expect(Set(next.map(\.position)) == Self.positions([0: 0..<10, 1: 0..<10, 2: 0..<10]))
        }
    }

    @Test("to an offset on one partition: only it moves; the other partitions keep their offsets and metadata")
    func toOffsetOnePartition() async throws {
        let group = TestLogging.unique("replay-offset")
        try await Self.withGroup(group, committed: [0: (10, "cg1:10:1"), 1: (9, "cg1:9:1"), 2: (10, "cg1:10:3")]) { bootstrap in
            let table = try await Self.replay(bootstrap, group: group, to: try ReplayTarget.parse(to: "4"), partitions: [1])
            #expect(table.contains("left alone: partition(s) 0,2"), "\(table)")
            let after = try await Self.committed(bootstrap, group: group)
            #expect(after[1]?.offset == 4 && after[1]?.metadata == nil, "\(String(describing: after[1]))")
            #expect(after[0]?.offset == 10 && after[0]?.metadata == "cg1:10:1", "\(String(describing: after[0]))")
            #expect(after[2]?.offset == 10 && after[2]?.metadata == "cg1:10:3", "\(String(describing: after[2]))")
            let next = try await TailJobTests.readNext(bootstrap, group: group, topic: "spends")
            #expect(Set(next.map(\.position)) == Self.positions([1: 4..<10]), "\(next.map(\.position).sorted())")
            #expect(next.allSatisfy { $0.value.hasPrefix("a-1-") })
        }
    }
}

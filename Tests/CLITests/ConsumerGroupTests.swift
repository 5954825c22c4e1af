import Foundation
import Kafka
import Testing

extension CLITests {
    @Suite("tail: consumer group across processes")
    struct ConsumerGroup {
        static let partitions: Int32 = 8
        static let all = Set(0..<partitions)

        /// Records spread over every partition, with unique values.
        static func batch(_ label: String, count: Int) -> [(key: String, value: String, partition: Int32?)] {
            (0..<count).map { i in
                (key: "\(label)-\(i)", value: #"{"batch":"\#(label)","n":\#(i)}"#, partition: Int32(i) % partitions)
            }
        }

        static func tail(_ bootstrap: String, topic: String, group: String) throws -> ChildProcess {
            try ChildProcess([
                "tail", "--brokers", bootstrap, "--topic", topic, "--group", group, "--commit",
                "--session-timeout-ms", "3000", "--log-level", "error",
            ])
        }

        @Test("two members split the partitions; the survivor of a SIGKILL takes them all; no record is lost")
        func twoMembersSplitThenSurvivorTakesOver() async throws {
            let topic = CLI.unique("spends")
            let group = CLI.unique("tail-group")
            try await TestKafka.withCluster([topic: Self.partitions]) { bootstrap in
                try await Self.splitKillAndTakeOver(bootstrap: bootstrap, topic: topic, group: group)
            }
        }

        static func splitKillAndTakeOver(bootstrap: String, topic: String, group: String) async throws {
            let a = try tail(bootstrap, topic: topic, group: group)
            defer { a.kill() }
            let b = try tail(bootstrap, topic: topic, group: group)
            defer { b.kill() }
            let members = [a, b]

            // 1. The two members split the 8 partitions between them.
            let split = await waitUntil(timeout: .seconds(40)) {
                let (pa, pb) = (a.ownedPartitions, b.ownedPartitions)
                return !pa.isEmpty && !pb.isEmpty && pa.isDisjoint(with: pb) && pa.union(pb) == all
            }
            try #require(
                split,
                """
                no split: a=\(a.ownedPartitions.sorted()) b=\(b.ownedPartitions.sorted())
                a stderr:\n\(a.stderr)\nb stderr:\n\(b.stderr)
                """)
            for m in members {
                #expect(m.assignmentEvents.allSatisfy { $0.pid == m.pid }, "events carry the member's pid")
            }

            // Records produced now are printed, each by the member owning its partition.
            let first = batch("before", count: 48)
            try await TestKafka.produce(bootstrap, topic: topic, first)
            let firstValues = Set(first.map(\.value))
            let printedFirst = await waitUntil(timeout: .seconds(30)) {
                firstValues.isSubset(of: Set(members.flatMap(\.tailedRecords).map(\.value)))
            }
            #expect(printedFirst, "records before the kill not all printed")
            for m in members {
                let seen = m.tailedRecords.filter { firstValues.contains($0.value) }
                #expect(!seen.isEmpty, "member \(m.pid) printed none of the first batch")
                #expect(seen.allSatisfy { $0.headers.isEmpty && $0.key?.hasPrefix("before-") == true })
            }
            let ownedByA = a.ownedPartitions

            // 2. SIGKILL one member: the other takes over all 8 partitions.
            a.kill()
            #expect(await a.waitForExit(timeout: .seconds(10)) == .signalled(SIGKILL))
            let tookOver = await waitUntil(timeout: .seconds(30)) { b.ownedPartitions == all }
            try #require(tookOver, "survivor owns \(b.ownedPartitions.sorted())\n\(b.stderr)")
            let lastAssigned = try #require(b.assignmentEvents.last { $0.event == "assigned" })
            #expect(ownedByA.isSubset(of: lastAssigned.partitions), "the dead member's partitions \(ownedByA.sorted()) moved")

            // Records produced after the kill all reach the survivor.
            let second = batch("after", count: 48)
            try await TestKafka.produce(bootstrap, topic: topic, second)
            let secondValues = Set(second.map(\.value))
            let printedSecond = await waitUntil(timeout: .seconds(30)) {
                secondValues.isSubset(of: Set(b.tailedRecords.map(\.value)))
            }
            let missingAfter = secondValues.subtracting(b.tailedRecords.map(\.value))
            #expect(printedSecond && missingAfter.isEmpty, "survivor missed \(missingAfter.count) records produced after the kill")
            #expect(Set(b.tailedRecords.filter { secondValues.contains($0.value) }.map(\.partition)) == all)

            // 3. Nothing lost: every produced record was printed by at least one member, at its offset.
            let printed = members.flatMap(\.tailedRecords)
            let produced = firstValues.union(secondValues)
            #expect(produced.subtracting(printed.map(\.value)).isEmpty)
            #expect(Set(printed.map(\.value)).isSubset(of: produced), "nothing printed that was not produced")
            // Each partition's printed offsets cover 0..<(records in it) without holes.
            for p in all {
                let offsets = Set(printed.filter { $0.partition == p }.map(\.offset))
                #expect(offsets == Set(0..<Int64(produced.count / all.count)), "partition \(p): \(offsets.sorted())")
            }
            b.signal(SIGTERM)
            _ = await b.waitForExit(timeout: .seconds(15))
        }
    }
}

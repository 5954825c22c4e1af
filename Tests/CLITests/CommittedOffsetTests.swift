import Foundation
import Kafka
import Testing

extension CLITests {
    @Suite("tail: committed offsets across restarts")
    struct CommittedOffsets {
        @Test("a restarted `tail --group G --commit` prints only what the first run did not")
        func committedOffsetsSurviveRestart() async throws {
            let topic = CLI.unique("spends")
            let group = CLI.unique("tail-restart")
            let partitions: Int32 = 3
            let perPartition = 10
            let firstRun = 13
            try await TestKafka.withCluster([topic: partitions]) { bootstrap in
                let records = (0..<(Int(partitions) * perPartition)).map { i in
                    (key: "user-\(i)", value: #"{"n":\#(i)}"#, partition: Optional(Int32(i) % partitions))
                }
                try await TestKafka.produce(bootstrap, topic: topic, records)
                let everything = Set((0..<partitions).flatMap { p in (0..<Int64(perPartition)).map { Position(partition: p, offset: $0) } })

                // Run 1: reads `firstRun` records, commits them, exits by itself.
                let run1 = try await CLI.run(["tail", "--brokers", bootstrap, "--topic", topic, "--group", group,
                                              "--commit", "--max", "\(firstRun)", "--log-level", "error"], timeout: .seconds(60))
                #expect(run1.status == .exited(0), "\(run1)")
                let first = run1.stdoutLines.compactMap(TailedRecord.init(line:))
                #expect(run1.stdoutLines.count == firstRun && first.count == firstRun, "\(run1)")
                #expect(Set(first.map(\.position)).count == firstRun, "no duplicates in one run")

                // What it printed is a prefix of each partition, and that is what the group committed.
                let committed = try await TestKafka.committed(bootstrap, group: group, topic: topic, partitions: partitions)
                for p in 0..<partitions {
                    let offsets = first.filter { $0.partition == p }.map(\.offset).sorted()
                    #expect(offsets == Array(0..<Int64(offsets.count)), "partition \(p) read in order from 0: \(offsets)")
                    if offsets.isEmpty {
                        #expect((committed[p] ?? -1) < 0, "partition \(p): nothing read, nothing committed")
                    } else {
                        #expect(committed[p] == Int64(offsets.count), "partition \(p): committed \(committed[p] ?? -1)")
                    }
                }

                // Run 2, a new process in the same group: starts at the committed offsets.
                let run2 = try await CLI.run(["tail", "--brokers", bootstrap, "--topic", topic, "--group", group,
                                              "--commit", "--exit-when-idle", "2", "--log-level", "error"], timeout: .seconds(60))
                #expect(run2.status == .exited(0), "\(run2)")
                let second = run2.stdoutLines.compactMap(TailedRecord.init(line:))
                let firstPositions = Set(first.map(\.position))
                let secondPositions = Set(second.map(\.position))
                #expect(second.count == everything.count - firstRun, "printed \(second.count)\n\(run2)")
                #expect(firstPositions.isDisjoint(with: secondPositions),
                        "re-printed \(firstPositions.intersection(secondPositions).sorted())")
                #expect(firstPositions.union(secondPositions) == everything)
                for p in 0..<partitions {
                    let start = second.filter { $0.partition == p }.map(\.offset).min()
                    let expected = committed[p].map { Swift.max($0, 0) } ?? 0
                    if Int64(perPartition) > expected {
                        #expect(start == expected, "partition \(p): run 2 starts at \(start ?? -1), committed \(expected)")
                    }
                }
                // And run 2 committed the rest.
                let after = try await TestKafka.committed(bootstrap, group: group, topic: topic, partitions: partitions)
                #expect(after == Dictionary(uniqueKeysWithValues: (0..<partitions).map { ($0, Int64(perPartition)) }))
            }
        }
    }
}

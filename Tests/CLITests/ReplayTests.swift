import Foundation
import Kafka
import Testing

extension CLITests {
    @Suite("replay: resetting a group's offsets")
    struct Replay {
        static let partitions: Int32 = 3

        /// `count` records per partition, values "label-p-i", keys per partition.
        static func records(_ label: String, perPartition count: Int) -> [(key: String, value: String, partition: Int32?)] {
            (0..<partitions).flatMap { p in
                (0..<count).map { i in (key: "user-\(p)-\(i)", value: "\(label)-\(p)-\(i)", partition: Optional(p)) }
            }
        }

        /// Commits offsets (with metadata) for `group` as a consumer that never joins it.
        static func commit(_ bootstrap: String, group: String, topic: String, _ offsets: [Int32: (Int64, String?)]) async throws {
            let consumer = try KafkaConsumer(configuration: .init(bootstrapServers: bootstrap, groupID: group), logger: CLI.logger())
            try await consumer.commit(offsets.map { KafkaPartitionOffset(topic: topic, partition: $0.key, offset: $0.value.0, metadata: $0.value.1) })
            await consumer.close()
        }

        /// The committed offset and metadata per partition (metadata nil when empty).
        static func committed(_ bootstrap: String, group: String, topic: String) async throws -> [Int32: (offset: Int64, metadata: String?)] {
            let consumer = try KafkaConsumer(configuration: .init(bootstrapServers: bootstrap, groupID: group), logger: CLI.logger())
            let list = try await consumer.committed((0..<partitions).map { KafkaTopicPartition(topic: topic, partition: $0) })
            await consumer.close()
            return Dictionary(
                uniqueKeysWithValues: list.map {
                    ($0.topicPartition.partition, (offset: $0.offset, metadata: ($0.metadata?.isEmpty ?? true) ? nil : $0.metadata))
                })
        }

        /// What a member of `group` reads next: `tail --group G` (no commit) until idle.
        static func readNext(_ bootstrap: String, group: String, topic: String) async throws -> [TailedRecord] {
            let run = try await CLI.run(
                [
                    "tail", "--brokers", bootstrap, "--topic", topic, "--group", group,
                    "--exit-when-idle", "2", "--log-level", "error",
                ], timeout: .seconds(60))
            #expect(run.status == .exited(0), "\(run)")
            return run.stdoutLines.compactMap(TailedRecord.init(line:))
        }

        static func replay(_ bootstrap: String, _ arguments: [String], timeout: Duration = .seconds(120)) async throws -> Finished {
            try await CLI.run(["replay", "--brokers", bootstrap, "--log-level", "error"] + arguments, timeout: timeout)
        }

        static func positions(_ records: [TailedRecord]) -> Set<Position> { Set(records.map(\.position)) }
        static func positions(_ ranges: [Int32: Range<Int64>]) -> Set<Position> {
            Set(ranges.flatMap { p, r in r.map { Position(partition: p, offset: $0) } })
        }

        // --to earliest and --to OFFSET --partition P (offsets, metadata and what the group reads
        // next) are ApplicationTests' (ReplayTests); here, the timestamp search through the command,
        // confirmation, refusals, --watch and flag errors.
        @Test("--to TIMESTAMP: the group reprocesses exactly the records produced after it (binary search on the mock)")
        func toTimestamp() async throws {
            let topic = CLI.unique("spends")
            let group = CLI.unique("replay-time")
            try await TestKafka.withCluster([topic: Self.partitions]) { bootstrap in
                try await TestKafka.produce(bootstrap, topic: topic, Self.records("first", perPartition: 40))
                try await Task.sleep(for: .milliseconds(1200))
                let between = Date()
                try await Task.sleep(for: .milliseconds(1200))
                try await TestKafka.produce(bootstrap, topic: topic, Self.records("second", perPartition: 7))
                try await Self.commit(
                    bootstrap, group: group, topic: topic,
                    [0: (47, "cg1:47:1"), 1: (47, nil), 2: (47, "cg1:47:2")])
                let formatter = ISO8601DateFormatter()
                formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
                let iso = formatter.string(from: between)
                let run = try await Self.replay(bootstrap, ["--topic", topic, "--group", group, "--to", iso, "--yes"])
                #expect(run.status == .exited(0), "\(run)")
                #expect(run.stdout.contains("binary search"), "the mock answers offsets-for-times with -1\n\(run)")
                #expect(run.stdout.contains("reprocess 21 record(s)"), "\(run)")
                let after = try await Self.committed(bootstrap, group: group, topic: topic)
                for p in 0..<Self.partitions {
                    #expect(after[p]?.offset == 40 && after[p]?.metadata == nil, "partition \(p): \(String(describing: after[p]))")
                }
                let next = try await Self.readNext(bootstrap, group: group, topic: topic)
                #expect(Self.positions(next) == Self.positions([0: 40..<47, 1: 40..<47, 2: 40..<47]))
                #expect(next.allSatisfy { $0.value.hasPrefix("second-") })

                // A time after every record moves to the end: nothing to reprocess.
                let late = try await Self.replay(
                    bootstrap,
                    [
                        "--topic", topic, "--group", group, "--to",
                        formatter.string(from: Date().addingTimeInterval(3600)), "--yes",
                    ])
                #expect(late.status == .exited(0), "\(late)")
                #expect(late.stdout.contains("every record is older"), "\(late)")
                let end = try await Self.committed(bootstrap, group: group, topic: topic)
                #expect((0..<Self.partitions).allSatisfy { end[$0]?.offset == 47 }, "\(end)")
            }
        }

        @Test("--dry-run and a missing --yes change nothing; --shift-by moves each partition by N, clamped")
        func dryRunConfirmationAndShift() async throws {
            let topic = CLI.unique("spends")
            let group = CLI.unique("replay-shift")
            try await TestKafka.withCluster([topic: Self.partitions]) { bootstrap in
                try await TestKafka.produce(bootstrap, topic: topic, Self.records("a", perPartition: 10))
                try await Self.commit(bootstrap, group: group, topic: topic, [0: (10, "cg1:10:1"), 1: (5, "cg1:5:1"), 2: (2, nil)])
                let before = try await Self.committed(bootstrap, group: group, topic: topic)

                let dry = try await Self.replay(bootstrap, ["--topic", topic, "--group", group, "--shift-by", "-3", "--dry-run"])
                #expect(dry.status == .exited(0), "\(dry)")
                #expect(dry.stdout.contains("dry run: nothing changed"))
                #expect(dry.stdout.contains("reprocess 8 record(s)"), "3 + 3 + 2 (clamped at 0)\n\(dry)")
                #expect(dry.stdout.contains("clamped: -1 is below the low watermark"), "\(dry)")
                let afterDry = try await Self.committed(bootstrap, group: group, topic: topic)
                #expect(afterDry.mapValues(\.offset) == before.mapValues(\.offset))
                #expect(afterDry.mapValues(\.metadata) == before.mapValues(\.metadata))

                let unconfirmed = try await Self.replay(bootstrap, ["--topic", topic, "--group", group, "--shift-by", "-3"])
                #expect(unconfirmed.status == .exited(2), "\(unconfirmed)")
                #expect(unconfirmed.stderr.contains("add --yes"), "\(unconfirmed)")
                #expect(try await Self.committed(bootstrap, group: group, topic: topic).mapValues(\.offset) == before.mapValues(\.offset))

                let shifted = try await Self.replay(bootstrap, ["--topic", topic, "--group", group, "--shift-by", "-3", "--yes"])
                #expect(shifted.status == .exited(0), "\(shifted)")
                let after = try await Self.committed(bootstrap, group: group, topic: topic)
                #expect(after.mapValues(\.offset) == [0: 7, 1: 2, 2: 0])
                #expect(after.values.allSatisfy { $0.metadata == nil })

                let forward = try await Self.replay(bootstrap, ["--topic", topic, "--group", group, "--shift-by=+4", "--yes"])
                #expect(forward.status == .exited(0), "\(forward)")
                #expect(forward.stdout.contains("skip 11 record(s)"), "\(forward)")
                #expect(try await Self.committed(bootstrap, group: group, topic: topic).mapValues(\.offset) == [0: 10, 1: 6, 2: 4])
            }
        }

        @Test("refused (exit 2) while a member is active; offsets and metadata unchanged")
        func refusedWhileActive() async throws {
            let topic = CLI.unique("spends")
            let group = CLI.unique("replay-busy")
            try await TestKafka.withCluster([topic: Self.partitions]) { bootstrap in
                try await TestKafka.produce(bootstrap, topic: topic, Self.records("a", perPartition: 10))
                try await Self.commit(bootstrap, group: group, topic: topic, [0: (10, "cg1:10:1"), 1: (10, "cg1:10:2"), 2: (10, nil)])
                let member = try ChildProcess([
                    "tail", "--brokers", bootstrap, "--topic", topic, "--group", group,
                    "--session-timeout-ms", "6000", "--log-level", "error",
                ])
                defer { member.kill() }
                let joined = await waitUntil(timeout: .seconds(40)) { member.ownedPartitions.count == Int(Self.partitions) }
                try #require(joined, "the member did not get its partitions\n\(member.stderr)")

                let run = try await Self.replay(bootstrap, ["--topic", topic, "--group", group, "--to", "earliest", "--yes"])
                #expect(run.status == .exited(2), "\(run)")
                #expect(run.stderr.contains("group \(group) has active members"), "\(run)")
                #expect(run.stderr.contains("stop them first"), "\(run)")
                #expect(run.stderrLines.count == 1, "one line: \(run.stderrLines)")
                let after = try await Self.committed(bootstrap, group: group, topic: topic)
                #expect(after.mapValues(\.offset) == [0: 10, 1: 10, 2: 10])
                #expect(after[0]?.metadata == "cg1:10:1" && after[1]?.metadata == "cg1:10:2")
                #expect(member.isRunning, "the member keeps working")

                // Once the member is stopped, the same replay applies.
                member.signal(SIGTERM)
                #expect(await member.waitForExit(timeout: .seconds(20)) != nil)
                let again = try await Self.replay(bootstrap, ["--topic", topic, "--group", group, "--to", "earliest", "--yes"])
                #expect(again.status == .exited(0), "\(again)")
                #expect(try await Self.committed(bootstrap, group: group, topic: topic).mapValues(\.offset) == [0: 0, 1: 0, 2: 0])
            }
        }

        @Test("--watch follows the group until it reaches the end recorded at reset time")
        func watch() async throws {
            let topic = CLI.unique("spends")
            let group = CLI.unique("replay-watch")
            try await TestKafka.withCluster([topic: Self.partitions]) { bootstrap in
                try await TestKafka.produce(bootstrap, topic: topic, Self.records("a", perPartition: 20))
                try await Self.commit(bootstrap, group: group, topic: topic, [0: (20, nil), 1: (20, nil), 2: (20, nil)])
                let replay = try ChildProcess([
                    "replay", "--brokers", bootstrap, "--topic", topic, "--group", group,
                    "--to", "5", "--yes", "--watch", "--progress-interval", "1", "--log-level", "error",
                ])
                defer { replay.kill() }
                let applied = await waitUntil(timeout: .seconds(90)) { replay.stdout.contains("verified") }
                try #require(applied, "\(replay.stdout)\n\(replay.stderr)")
                #expect(replay.isRunning, "watching")
                // A member of the group works through the replayed records and commits them.
                let worker = try await CLI.run(
                    [
                        "tail", "--brokers", bootstrap, "--topic", topic, "--group", group, "--commit",
                        "--max", "45", "--log-level", "error",
                    ], timeout: .seconds(60))
                #expect(worker.stdoutLines.count == 45, "\(worker)")
                let status = await replay.waitForExit(timeout: .seconds(30))
                #expect(status == .exited(0), "\(replay.stdout)\n\(replay.stderr)")
                #expect(replay.stdout.contains("replay complete"), "\(replay.stdout)")
                #expect(replay.stderr.contains("45/45 redone"), "\(replay.stderr)")
            }
        }

        @Test("bad input: one line naming the flag, exit 1, nothing changed")
        func badInput() async throws {
            let topic = CLI.unique("spends")
            let group = CLI.unique("replay-bad")
            try await TestKafka.withCluster([topic: Self.partitions]) { bootstrap in
                let cases: [([String], String)] = [
                    (["--to", "soon"], "--to \"soon\""),
                    (["--to", "2026-02-30"], "day 30 does not exist"),
                    (["--to", "5", "--shift-by", "1"], "--to and --shift-by"),
                    ([], "--to earliest|latest|OFFSET|TIMESTAMP or --shift-by N"),
                    (["--shift-by", "many"], "--shift-by \"many\""),
                    (["--to", "earliest", "--partition", "7"], "--partition 7: topic \(topic) has partitions 0...2"),
                    (["--to", "earliest", "--partition", "x"], "--partition \"x\""),
                ]
                for (arguments, expected) in cases {
                    let run = try await Self.replay(bootstrap, ["--topic", topic, "--group", group, "--dry-run"] + arguments)
                    #expect(run.status == .exited(1), "\(arguments): \(run)")
                    #expect(run.stderrLines.count == 1 && run.stderr.contains(expected), "\(arguments): \(run)")
                }
                let missing = try await Self.replay(bootstrap, ["--topic", "no-such-topic", "--group", group, "--to", "earliest", "--dry-run"])
                #expect(missing.status == .exited(1), "\(missing)")
                #expect(missing.stderr.contains("no-such-topic"), "\(missing)")
            }
        }
    }
}

import Foundation
import Kafka
import Testing

extension CLITests {
    @Suite("export: recommendations to JSONL or CSV")
    struct ExportTests {
        static let cards = [
            Downstream.Card(id: 1353, name: #"Gold, "Plus" Rewards"#, yearly: 48250, roi: 41.2),
            Downstream.Card(id: 7, name: "Plain", yearly: 100.5, roi: -3),
        ]

        @Test("--from-beginning JSONL: every stored value byte for byte, bad records skipped with a warning naming topic/partition/offset")
        func jsonlByteForByte() async throws {
            let scratch = try ScratchDirectory()
            let topic = CLI.unique("recs")
            try await TestKafka.withCluster([topic: 3]) { bootstrap in
                var records: [KafkaProducerRecord] = []
                for i in 0..<30 {
                    let value = Downstream.outputValue(
                        user: "u-\(i % 20)", cohort: "c\(i % 2)", offset: i,
                        cards: i % 5 == 0 ? [] : Self.cards)
                    records.append(Downstream.output(topic: topic, user: "u-\(i % 20)", cohort: "c\(i % 2)", value: value))
                }
                records.append(KafkaProducerRecord(topic: topic, partition: 1, key: Array("junk".utf8), value: Array("not json {".utf8)))
                records.append(
                    KafkaProducerRecord(
                        topic: topic, partition: 2, key: Array("v2".utf8),
                        value: Array(#"{"schema_version":2,"user_id":"v2","savings":[]}"#.utf8)))
                try await Downstream.publish(bootstrap, records)
                let stored = try await Downstream.all(bootstrap, topic: topic)
                let junk = try #require(stored.first { $0.keyString == "junk" })
                let v2 = try #require(stored.first { $0.keyString == "v2" })

                let out = scratch.file("recs.jsonl")
                let result = try await CLI.run(["export", "--brokers", bootstrap, "--topic", topic, "--output", out, "--log-level", "error"])
                #expect(result.status == .exited(0), "\(result)")
                let text = try #require(scratch.read("recs.jsonl"), "no \(out)\n\(result)")
                #expect(!scratch.exists("recs.jsonl.partial"))
                let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
                #expect(text.hasSuffix("\n"))
                let expected = stored.filter { $0.keyString != "junk" && $0.keyString != "v2" }
                    .map { String(decoding: $0.value ?? [], as: UTF8.self) }
                #expect(lines.sorted() == expected.sorted(), "the file holds every valid value exactly as stored")
                #expect(lines.count == 30)
                #expect(result.stderr.contains("\(topic)/\(junk.partition)/\(junk.offset): the value is not valid JSON"), "\(result)")
                #expect(result.stderr.contains("\(topic)/\(v2.partition)/\(v2.offset): schema_version: 2 is not supported"), "\(result)")
                let summary = try #require(Downstream.exportSummary(result.stderr), "\(result)")
                #expect(summary["records"] == 30)
                #expect(summary["users"] == 20)
                #expect(summary["rows"] == 30)
                #expect(summary["skipped"] == 2)
            }
        }

        @Test("CSV: header, one row per card with rank, RFC 4180 quoting, one empty row for a user without cards")
        func csvRows() async throws {
            let scratch = try ScratchDirectory()
            let topic = CLI.unique("recs")
            try await TestKafka.withCluster([topic: 1]) { bootstrap in
                try await Downstream.publish(
                    bootstrap,
                    [
                        Downstream.output(
                            topic: topic, user: "u-1", cohort: "2026-W48",
                            value: Downstream.outputValue(user: "u-1", cohort: "2026-W48", partition: 3, offset: 1841, cards: Self.cards)),
                        Downstream.output(
                            topic: topic, user: "u,2", cohort: "2026-W48",
                            value: Downstream.outputValue(user: "u,2", cohort: "2026-W48", partition: 1, offset: 9, cards: [])),
                    ])
                let out = scratch.file("recs.csv")
                let result = try await CLI.run([
                    "export", "--brokers", bootstrap, "--topic", topic, "--output", out,
                    "--format", "csv", "--from-beginning", "--log-level", "error",
                ])
                #expect(result.status == .exited(0), "\(result)")
                let expected = [
                    "user_id,cohort,rank,card_id,card_name,total_savings_yearly,roi,processed_at,source_partition,source_offset",
                    #"u-1,2026-W48,1,1353,"Gold, ""Plus"" Rewards",48250,41.2,2026-11-29T06:30:56.376Z,3,1841"#,
                    "u-1,2026-W48,2,7,Plain,100.5,-3,2026-11-29T06:30:56.376Z,3,1841",
                    #""u,2",2026-W48,,,,,,2026-11-29T06:30:56.376Z,1,9"#,
                ].map { $0 + "\r\n" }.joined()
                #expect(scratch.read("recs.csv") == expected)
                let summary = try #require(Downstream.exportSummary(result.stderr), "\(result)")
                #expect(summary["records"] == 2)
                #expect(summary["rows"] == 3)
                #expect(summary["users"] == 2)
            }
        }

        @Test("--cohort keeps only that cohort; --output - writes to stdout")
        func cohortFilterToStdout() async throws {
            let topic = CLI.unique("recs")
            try await TestKafka.withCluster([topic: 2]) { bootstrap in
                var records: [KafkaProducerRecord] = []
                for i in 0..<12 {
                    let cohort = i % 3 == 0 ? "A" : "B"
                    records.append(
                        Downstream.output(
                            topic: topic, user: "u-\(i)", cohort: cohort,
                            value: Downstream.outputValue(user: "u-\(i)", cohort: cohort, offset: i, cards: Self.cards)))
                }
                try await Downstream.publish(bootstrap, records)
                let result = try await CLI.run([
                    "export", "--brokers", bootstrap, "--topic", topic, "--output", "-",
                    "--cohort", "A", "--log-level", "error",
                ])
                #expect(result.status == .exited(0), "\(result)")
                let users = Set(result.stdoutLines.compactMap { jsonObject($0)?["user_id"] as? String })
                #expect(result.stdoutLines.count == 4, "\(result)")
                #expect(users == ["u-0", "u-3", "u-6", "u-9"])
                let summary = try #require(Downstream.exportSummary(result.stderr), "\(result)")
                #expect(summary["records"] == 4)
                #expect(summary["filtered"] == 8)
            }
        }

        @Test("--group exports incrementally: the second run writes only the new records, commits after the file is complete")
        func groupIsIncremental() async throws {
            let scratch = try ScratchDirectory()
            let topic = CLI.unique("recs")
            let group = CLI.unique("export")
            try await TestKafka.withCluster([topic: 3]) { bootstrap in
                func batch(_ range: Range<Int>) -> [KafkaProducerRecord] {
                    range.map {
                        Downstream.output(
                            topic: topic, user: "u-\($0)", cohort: "A",
                            value: Downstream.outputValue(user: "u-\($0)", cohort: "A", offset: $0, cards: Self.cards))
                    }
                }
                func export(_ name: String) async throws -> (Finished, [String]) {
                    let result = try await CLI.run(
                        [
                            "export", "--brokers", bootstrap, "--topic", topic, "--group", group,
                            "--output", scratch.file(name), "--exit-when-idle", "1", "--log-level", "error",
                        ],
                        timeout: .seconds(60))
                    let users = (scratch.read(name) ?? "").split(separator: "\n").compactMap { jsonObject(String($0))?["user_id"] as? String }
                    return (result, users)
                }
                try await Downstream.publish(bootstrap, batch(0..<10))
                let (first, firstUsers) = try await export("one.jsonl")
                #expect(first.status == .exited(0), "\(first)")
                #expect(Set(firstUsers) == Set((0..<10).map { "u-\($0)" }))
                #expect(firstUsers.count == 10)
                let committed = try await TestKafka.committed(bootstrap, group: group, topic: topic, partitions: 3)
                #expect(committed.values.reduce(0, +) == 10, "committed \(committed)")

                try await Downstream.publish(bootstrap, batch(10..<15))
                let (second, secondUsers) = try await export("two.jsonl")
                #expect(second.status == .exited(0), "\(second)")
                #expect(secondUsers.sorted() == (10..<15).map { "u-\($0)" }.sorted(), "only the new records")

                let (third, thirdUsers) = try await export("three.jsonl")
                #expect(third.status == .exited(0), "\(third)")
                #expect(thirdUsers.isEmpty)
                #expect(scratch.exists("three.jsonl"), "an empty export still writes its file")
                #expect(Downstream.exportSummary(third.stderr)?["records"] == 0, "\(third)")
            }
        }

        @Test("--group without --exit-when-idle: SIGTERM finishes the file, commits and exits 0")
        func groupStopsOnSigterm() async throws {
            let scratch = try ScratchDirectory()
            let topic = CLI.unique("recs")
            let group = CLI.unique("export")
            try await TestKafka.withCluster([topic: 2]) { bootstrap in
                try await Downstream.publish(
                    bootstrap,
                    (0..<8).map {
                        Downstream.output(
                            topic: topic, user: "u-\($0)", cohort: "A",
                            value: Downstream.outputValue(user: "u-\($0)", cohort: "A", cards: Self.cards))
                    })
                let child = try ChildProcess([
                    "export", "--brokers", bootstrap, "--topic", topic, "--group", group,
                    "--output", scratch.file("out.csv"), "--format", "csv", "--progress", "--log-level", "error",
                ])
                let started = await waitUntil(timeout: .seconds(30)) { child.stderr.contains("records written") }
                #expect(started, "no progress line\n\(child.stderr)")
                try await Task.sleep(for: .seconds(2))
                #expect(!scratch.exists("out.csv"), "the file appears only when the export ends")
                child.signal(SIGTERM)
                let status = await child.waitForExit(timeout: .seconds(30))
                #expect(status == .exited(0), "\(child.stderr)")
                let rows = (scratch.read("out.csv") ?? "").split(separator: "\r\n")
                #expect(rows.count == 1 + 16, "header + 2 cards x 8 users: \(rows.count)")
                let committed = try await TestKafka.committed(bootstrap, group: group, topic: topic, partitions: 2)
                #expect(committed.values.reduce(0, +) == 8, "committed \(committed)")
            }
        }

        // (A missing topic cannot be tested here: the mock cluster creates topics on a metadata request.)
        @Test(
            "bad flags: one line naming the flag, no file",
            arguments: [
                (["--format", "xml"], "--format"),
                (["--group", "g", "--from-beginning"], "--from-beginning"),
                (["--exit-when-idle", "2"], "--exit-when-idle"),
                (["--group", ""], "--group"),
            ])
        func badInput(flags: [String], mention: String) async throws {
            let scratch = try ScratchDirectory()
            let topic = CLI.unique("recs")
            try await TestKafka.withCluster([topic: 1]) { bootstrap in
                let result = try await CLI.run(
                    [
                        "export", "--brokers", bootstrap, "--topic", topic, "--output", scratch.file("x.jsonl"),
                        "--log-level", "error",
                    ] + flags, timeout: .seconds(60))
                #expect(result.status != .exited(0), "\(result)")
                let errorLines = result.stderrLines.filter { $0.hasPrefix("Error:") }
                #expect(errorLines.count == 1, "\(result)")
                #expect(errorLines.first?.contains(mention) == true, "\(result)")
                #expect(!scratch.exists("x.jsonl") && !scratch.exists("x.jsonl.partial"), "\(result)")
            }
        }
    }
}

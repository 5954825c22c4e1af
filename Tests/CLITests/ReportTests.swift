import Foundation
import Kafka
import Testing

extension CLITests {
    @Suite("report: a cohort across input, output and dead-letter topics")
    struct ReportTests {
        /// Cohort C: u1 (twice) and u2 recommended, u3 invalid-record, u4 api-rejected (twice),
        /// u5 retries-exhausted, u6 pending. Cohort D: d1, pending, and not counted.
        static func constructCohort(_ bootstrap: String, input: String, output: String, dlq: String) async throws {
            var records: [KafkaProducerRecord] = []
            for u in ["u1", "u2", "u3", "u4", "u5", "u6", "u1"] { records.append(Downstream.input(topic: input, user: u, cohort: "C")) }
            records.append(Downstream.input(topic: input, user: "d1", cohort: "D"))
            for u in ["u1", "u1", "u2"] {
                records.append(
                    Downstream.output(
                        topic: output, user: u, cohort: "C",
                        value: Downstream.outputValue(user: u, cohort: "C", cards: [])))
            }
            records.append(Downstream.deadLetter(topic: dlq, user: "u3", cohort: "C", errorClass: "invalid-record"))
            records.append(Downstream.deadLetter(topic: dlq, user: "u4", cohort: "C", errorClass: "api-rejected"))
            records.append(Downstream.deadLetter(topic: dlq, user: "u4", cohort: "C", errorClass: "api-rejected"))
            records.append(Downstream.deadLetter(topic: dlq, user: "u5", cohort: "C", errorClass: "retries-exhausted"))
            records.append(Downstream.deadLetter(topic: dlq, user: "d1", cohort: "D", errorClass: "retries-exhausted"))
            try await Downstream.publish(bootstrap, records)
        }

        static func report(_ bootstrap: String, _ topics: (String, String, String), _ extra: [String]) async throws -> Finished {
            try await CLI.run(
                [
                    "report", "--brokers", bootstrap, "--input-topic", topics.0, "--output-topic", topics.1,
                    "--dlq-topic", topics.2, "--log-level", "error",
                ] + extra, timeout: .seconds(60))
        }

        @Test("counts published, recommended, dead-lettered by class and pending users; exit 3 while users are pending, 0 after")
        func countsAndExitStatus() async throws {
            let topics = (CLI.unique("in"), CLI.unique("out"), CLI.unique("dlq"))
            try await TestKafka.withCluster([topics.0: 3, topics.1: 2, topics.2: 2]) { bootstrap in
                try await Self.constructCohort(bootstrap, input: topics.0, output: topics.1, dlq: topics.2)

                let json = try await Self.report(bootstrap, topics, ["--cohort", "C", "--json"])
                #expect(json.status == .exited(3), "\(json)")
                let o = try #require(jsonObject(json.stdoutLines.last ?? ""), "\(json)")
                #expect(o["cohort"] as? String == "C")
                #expect(o["users_published"] as? Int == 6)
                #expect(o["records_published"] as? Int == 7)
                #expect(o["users_recommended"] as? Int == 2)
                #expect(o["recommendation_records"] as? Int == 3)
                #expect(
                    o["dead_lettered_by_class"] as? [String: Int] == ["invalid-record": 1, "api-rejected": 1, "retries-exhausted": 1, "output-rejected": 0])
                #expect(o["users_dead_lettered"] as? Int == 3)
                #expect(o["pending"] as? Int == 1)
                #expect(o["pending_sample"] as? [String] == ["u6"])
                #expect(o["truncated_topics"] as? [String] == [])

                let table = try await Self.report(bootstrap, topics, ["--cohort", "C"])
                #expect(table.status == .exited(3), "\(table)")
                let rows = table.stdoutLines.map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
                for row in [
                    "users published 6", "records published 7", "users recommended 2", "invalid-record 1", "api-rejected 1",
                    "retries-exhausted 1", "users pending 1", "pending users: u6",
                ] {
                    #expect(rows.contains(row), "missing \"\(row)\" in\n\(table.stdout)")
                }

                try await Downstream.publish(
                    bootstrap,
                    [
                        Downstream.output(
                            topic: topics.1, user: "u6", cohort: "C",
                            value: Downstream.outputValue(user: "u6", cohort: "C", cards: []))
                    ])
                let done = try await Self.report(bootstrap, topics, ["--cohort", "C", "--json"])
                #expect(done.status == .exited(0), "\(done)")
                #expect(jsonObject(done.stdoutLines.last ?? "")?["pending"] as? Int == 0, "\(done)")

                let other = try await Self.report(bootstrap, topics, ["--cohort", "D", "--json"])
                #expect(other.status == .exited(0), "d1 is dead-lettered: \(other)")
                #expect(jsonObject(other.stdoutLines.last ?? "")?["users_published"] as? Int == 1)
            }
        }

        @Test("more than 20 pending users: the count, and the first 20 listed")
        func pendingListIsCapped() async throws {
            let topics = (CLI.unique("in"), CLI.unique("out"), CLI.unique("dlq"))
            try await TestKafka.withCluster([topics.0: 2, topics.1: 1, topics.2: 1]) { bootstrap in
                try await Downstream.publish(bootstrap, (0..<25).map { Downstream.input(topic: topics.0, user: String(format: "p%02d", $0), cohort: "C") })
                let result = try await Self.report(bootstrap, topics, ["--cohort", "C", "--json"])
                #expect(result.status == .exited(3), "\(result)")
                let o = try #require(jsonObject(result.stdoutLines.last ?? ""), "\(result)")
                #expect(o["pending"] as? Int == 25)
                #expect(o["pending_sample"] as? [String] == (0..<20).map { String(format: "p%02d", $0) })
            }
        }

        @Test("the mock broker keeps ~5 MB per partition: when old input records are gone, report and export warn")
        func truncatedTopicWarns() async throws {
            let topics = (CLI.unique("in"), CLI.unique("out"), CLI.unique("dlq"))
            let scratch = try ScratchDirectory()
            try await TestKafka.withCluster([topics.0: 1, topics.1: 1, topics.2: 1]) { bootstrap in
                // Random hex: the producer compresses (lz4), so the padding must not compress.
                func padding() -> String { (0..<1_250).map { _ in String(format: "%016llx", UInt64.random(in: 0...UInt64.max)) }.joined() }
                for chunk in 0..<8 {
                    try await Downstream.publish(
                        bootstrap,
                        (0..<50).map {
                            Downstream.input(
                                topic: topics.0, user: "t\(chunk)-\($0)", cohort: "C",
                                value: #"{"user_id":"t\#(chunk)-\#($0)","pad":"\#(padding())"}"#)
                        })
                }
                let result = try await Self.report(bootstrap, topics, ["--cohort", "C", "--json"])
                #expect(result.status == .exited(3), "\(result)")
                let o = try #require(jsonObject(result.stdoutLines.last ?? ""), "\(result)")
                #expect(o["truncated_topics"] as? [String] == [topics.0], "\(result)")
                let published = try #require(o["users_published"] as? Int)
                #expect(published > 0 && published < 400, "only the retained part is counted: \(published)")
                #expect(result.stderr.contains("warning: the oldest records of \(topics.0) are gone"), "\(result)")

                let export = try await CLI.run(
                    [
                        "export", "--brokers", bootstrap, "--topic", topics.0, "--output", scratch.file("x.jsonl"),
                        "--log-level", "error",
                    ], timeout: .seconds(60))
                #expect(export.status == .exited(0), "\(export)")
                #expect(export.stderr.contains("warning: the oldest records of \(topics.0) are gone"), "\(export)")
            }
        }

        @Test("a missing topic: report, export and redrive exit 1 naming it, and do not create it")
        func missingTopic() async throws {
            let topics = (CLI.unique("in"), CLI.unique("out"), CLI.unique("dlq"))
            let missing = CLI.unique("nosuch")
            let scratch = try ScratchDirectory()
            try await TestKafka.withCluster([topics.0: 2, topics.1: 2, topics.2: 1]) { bootstrap in
                let report = try await CLI.run(
                    [
                        "report", "--brokers", bootstrap, "--cohort", "C", "--input-topic", topics.0,
                        "--output-topic", topics.1, "--dlq-topic", missing, "--log-level", "error",
                    ],
                    timeout: .seconds(60))
                #expect(report.status == .exited(1), "\(report)")
                #expect(report.stderr.contains("topic \(missing) does not exist (--dlq-topic)"), "\(report)")
                for args in [
                    ["export", "--topic", missing, "--output", scratch.file("x.jsonl")],
                    ["export", "--topic", missing, "--group", CLI.unique("g"), "--exit-when-idle", "1", "--output", scratch.file("y.jsonl")],
                    ["redrive", "--from", missing, "--to", topics.0],
                ] {
                    let run = try await CLI.run(args + ["--brokers", bootstrap, "--log-level", "error"], timeout: .seconds(60))
                    #expect(run.status == .exited(1), "\(args): \(run)")
                    #expect(run.stderr.contains("topic \(missing) does not exist"), "\(args): \(run)")
                }
                #expect(!scratch.exists("x.jsonl") && !scratch.exists("y.jsonl"), "no file for a missing topic")
                // None of them created it (the mock creates a topic asked for by name).
                let consumer = try KafkaConsumer(
                    configuration: .init(bootstrapServers: bootstrap, groupID: CLI.unique("probe")),
                    logger: CLI.logger())
                let topicsNow = try await consumer.topicPartitionCounts()
                await consumer.close()
                #expect(topicsNow[missing] == nil, "\(missing) was created: \(topicsNow.keys.sorted())")
                #expect(topicsNow[topics.0] == 2)
            }
        }

        @Test("the same topic twice, or no --cohort: exit non-zero with one line naming the problem")
        func badFlags() async throws {
            let same = try await CLI.run(
                [
                    "report", "--brokers", "127.0.0.1:9", "--cohort", "C", "--input-topic", "t",
                    "--output-topic", "t", "--log-level", "error",
                ], timeout: .seconds(30))
            #expect(same.status == .exited(1), "\(same)")
            #expect(same.stderrLines.filter { $0.hasPrefix("Error:") && $0.contains("must differ") }.count == 1, "\(same)")
            let none = try await CLI.run(["report", "--brokers", "127.0.0.1:9"], timeout: .seconds(30))
            #expect(none.status != .exited(0), "\(none)")
            #expect(none.stderrLines.first { $0.hasPrefix("Error:") }?.contains("--cohort") == true, "\(none)")
        }
    }
}

import Foundation
import Kafka
import Testing

extension CLITests {
    @Suite("status: lag, drain time, next cohort")
    struct Status {
        /// A topic with 10, 20 and 30 records in partitions 0, 1, 2.
        static func setUp(_ bootstrap: String, topic: String) async throws {
            let records = (0..<3).flatMap { p in
                (0..<(10 * (p + 1))).map { i in (key: "u\(p)-\(i)", value: "v\(p)-\(i)", partition: Optional(Int32(p))) }
            }
            try await TestKafka.produce(bootstrap, topic: topic, records)
        }

        static func status(_ bootstrap: String, _ arguments: [String]) async throws -> Finished {
            try await CLI.run(["status", "--brokers", bootstrap, "--log-level", "error"] + arguments, timeout: .seconds(60))
        }

        @Test("--json: committed vs end, lag, totals, drain time from the given budgets, cohort verdict, members unavailable on the mock")
        func json() async throws {
            let topic = CLI.unique("spends")
            let group = CLI.unique("status")
            try await TestKafka.withCluster([topic: 3]) { bootstrap in
                try await Self.setUp(bootstrap, topic: topic)
                try await CLITests.Replay.commit(bootstrap, group: group, topic: topic, [0: (4, "cg1:4:1,3"), 1: (20, nil)])
                let run = try await Self.status(bootstrap, ["--topic", topic, "--group", group, "--json", "--rate", "2",
                                                           "--workers", "4", "--latency-s", "1", "--next-cohort", "2099-01-05"])
                #expect(run.status == .exited(0), "\(run)")
                #expect(run.stdoutLines.count == 1, "one JSON object\n\(run)")
                let o = try #require(jsonObject(run.stdout), "\(run.stdout)")
                #expect(o["group"] as? String == group && o["topic"] as? String == topic)
                let parts = try #require(o["partitions"] as? [[String: Any]])
                #expect(parts.map { $0["partition"] as? Int } == [0, 1, 2])
                #expect(parts.map { $0["committed"] as? Int } == [4, 20, nil])
                #expect(parts[2]["committed"] is NSNull)
                #expect(parts.map { $0["end"] as? Int } == [10, 20, 30])
                #expect(parts.map { $0["lag"] as? Int } == [6, 0, 30])
                #expect(parts.map { $0["completed_above_commit"] as? Int } == [2, 0, 0])
                let totals = try #require(o["totals"] as? [String: Any])
                #expect(totals["lag"] as? Int == 36 && totals["end"] as? Int == 60 && totals["completed_above_commit"] as? Int == 2)
                let t = try #require(o["throughput"] as? [String: Any])
                #expect(t["records_per_second"] as? Double == 2 && t["limited_by"] as? String == "rate")
                #expect(t["rate_source"] as? String == "--rate" && t["workers_source"] as? String == "--workers"
                        && t["latency_source"] as? String == "--latency-s")
                #expect(o["drain_seconds"] as? Double == 18)
                let cohort = try #require(o["next_cohort"] as? [String: Any])
                #expect(cohort["drains_before"] as? Bool == true)
                #expect(cohort["at"] as? String == "2099-01-05T00:00:00Z" && cohort["source"] as? String == "--next-cohort")
                let members = try #require(o["members"] as? [String: Any])
                #expect(members["available"] as? Bool == false)
                #expect((members["reason"] as? String)?.contains("DescribeConsumerGroups") == true)

                // Workers bound: 4 workers / 2 s = 2 rec/s < rate 10.
                let bound = try await Self.status(bootstrap, ["--topic", topic, "--group", group, "--json", "--rate", "10",
                                                             "--workers", "4", "--latency-s", "2"])
                let b = try #require(jsonObject(bound.stdout), "\(bound)")
                #expect((b["throughput"] as? [String: Any])?["limited_by"] as? String == "workers")
                #expect(b["drain_seconds"] as? Double == 18)
            }
        }

        @Test("text: the table, the drain line and the cohort warning when it will not drain in time")
        func text() async throws {
            let topic = CLI.unique("spends")
            let group = CLI.unique("status-text")
            try await TestKafka.withCluster([topic: 3]) { bootstrap in
                try await Self.setUp(bootstrap, topic: topic)
                try await CLITests.Replay.commit(bootstrap, group: group, topic: topic, [0: (10, nil), 1: (5, nil), 2: (30, nil)])
                let soon = ISO8601DateFormatter().string(from: Date().addingTimeInterval(20))
                let run = try await Self.status(bootstrap, ["--topic", topic, "--group", group, "--rate", "0.5",
                                                           "--workers", "20", "--latency-s", "1.5", "--next-cohort", soon])
                #expect(run.status == .exited(0), "a late backlog is a warning, not a failure\n\(run)")
                let lines = run.stdoutLines
                #expect(lines.contains { $0.split(separator: " ").map(String.init) == ["1", "5", "20", "15", "-"] }, "\(run.stdout)")
                #expect(lines.contains { $0.split(separator: " ").map(String.init) == ["total", "60", "15", "-"] }, "\(run.stdout)")
                #expect(run.stdout.contains("time to drain: 30 s for 15 record(s)"), "\(run.stdout)")
                #expect(run.stdout.contains("WARNING: does not drain before the next cohort"), "\(run.stdout)")
                #expect(run.stdout.contains("members: not available (the broker does not answer DescribeConsumerGroups"), "\(run.stdout)")

                let json = try await Self.status(bootstrap, ["--topic", topic, "--group", group, "--json", "--rate", "0.5",
                                                            "--next-cohort", soon])
                let o = try #require(jsonObject(json.stdout), "\(json)")
                #expect((o["next_cohort"] as? [String: Any])?["drains_before"] as? Bool == false)
            }
        }

        @Test("defaults: rate and workers from the settings, latency 1.5 s, next Monday; a group with no commits; an unknown topic")
        func defaultsAndEdges() async throws {
            let topic = CLI.unique("spends")
            try await TestKafka.withCluster([topic: 3]) { bootstrap in
                try await Self.setUp(bootstrap, topic: topic)
                let run = try await CLI.run(["status", "--brokers", bootstrap, "--topic", topic, "--group", CLI.unique("fresh"), "--json"],
                                            environment: ["CARDGENIUS_PROCESSING_MAX_WORKERS": "6",
                                                          "CARDGENIUS_API_RATE_LIMIT_REQUESTS_PER_SECOND": "3"])
                #expect(run.status == .exited(0), "\(run)")
                let o = try #require(jsonObject(run.stdout), "\(run)")
                #expect(o["has_commits"] as? Bool == false)
                #expect((o["totals"] as? [String: Any])?["lag"] as? Int == 60, "nothing committed: lag = end - low")
                let t = try #require(o["throughput"] as? [String: Any])
                #expect(t["rate"] as? Double == 3 && t["rate_source"] as? String == "api.rate_limit.requests_per_second")
                #expect(t["workers"] as? Int == 6 && t["workers_source"] as? String == "processing.max_workers")
                #expect(t["latency_s"] as? Double == 1.5 && (t["latency_source"] as? String)?.hasPrefix("default") == true)
                #expect(o["drain_seconds"] as? Double == 20)
                let cohort = try #require(o["next_cohort"] as? [String: Any])
                #expect(cohort["source"] as? String == "next Monday 00:00 UTC")
                let at = try #require((cohort["at"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) })
                var utc = Calendar(identifier: .gregorian)
                utc.timeZone = TimeZone(identifier: "UTC")!
                #expect(utc.component(.weekday, from: at) == 2 && utc.component(.hour, from: at) == 0)
                #expect(at > Date() && at <= Date().addingTimeInterval(7 * 86_400))

                let unlimited = try await CLI.run(["status", "--brokers", bootstrap, "--topic", topic, "--json"],
                                                  environment: ["CARDGENIUS_API_RATE_LIMIT_ENABLED": "false"])
                let u = try #require(jsonObject(unlimited.stdout), "\(unlimited)")
                #expect((u["throughput"] as? [String: Any])?["rate"] is NSNull)
                #expect((u["throughput"] as? [String: Any])?["limited_by"] as? String == "workers")

                let fresh = try await Self.status(bootstrap, ["--topic", topic, "--group", CLI.unique("fresh")])
                #expect(fresh.status == .exited(0), "\(fresh)")
                #expect(fresh.stdout.contains("has no committed offsets"), "\(fresh.stdout)")

                let missing = try await Self.status(bootstrap, ["--topic", "no-such-topic"])
                #expect(missing.status == .exited(1), "\(missing)")
                #expect(missing.stderrLines.count == 1 && missing.stderr.contains("topic no-such-topic does not exist"), "\(missing)")

                for (flag, value) in [("--rate", "fast"), ("--workers", "0"), ("--latency-s", "0"), ("--next-cohort", "monday"),
                                      ("--metrics-url", "ftp://x")] {
                    let bad = try await Self.status(bootstrap, ["--topic", topic, flag, value])
                    #expect(bad.status == .exited(1), "\(flag) \(value): \(bad)")
                    #expect(bad.stderrLines.count == 1 && bad.stderr.contains(flag), "\(flag) \(value): \(bad)")
                }
            }
        }
    }
}

import Foundation
import Kafka
import Testing

extension CLITests {
    @Suite("status: settings, exit codes and error lines")
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

        @Test("the environment's settings reach the report (one JSON line, exit 0); bad flags and an unknown topic: exit 1 with one line")
        func settingsAndErrors() async throws {
            // The report itself (lag, drain time, cohort, text) is ApplicationTests' (StatusQueryTests).
            let topic = CLI.unique("spends")
            try await TestKafka.withCluster([topic: 3]) { bootstrap in
                try await Self.setUp(bootstrap, topic: topic)
                let run = try await CLI.run(
                    ["status", "--brokers", bootstrap, "--topic", topic, "--group", CLI.unique("fresh"), "--json"],
                    environment: [
                        "CARDGENIUS_PROCESSING_MAX_WORKERS": "6",
                        "CARDGENIUS_API_RATE_LIMIT_REQUESTS_PER_SECOND": "3",
                    ])
                #expect(run.status == .exited(0), "\(run)")
                #expect(run.stdoutLines.count == 1, "one JSON object\n\(run)")
                let o = try #require(jsonObject(run.stdout), "\(run)")
                #expect((o["totals"] as? [String: Any])?["lag"] as? Int == 60)
                let t = try #require(o["throughput"] as? [String: Any])
                #expect(t["rate"] as? Double == 3 && t["rate_source"] as? String == "api.rate_limit.requests_per_second")
                #expect(t["workers"] as? Int == 6 && t["workers_source"] as? String == "processing.max_workers")

                let unlimited = try await CLI.run(
                    ["status", "--brokers", bootstrap, "--topic", topic, "--json"],
                    environment: ["CARDGENIUS_API_RATE_LIMIT_ENABLED": "false"])
                let u = try #require(jsonObject(unlimited.stdout), "\(unlimited)")
                #expect((u["throughput"] as? [String: Any])?["rate"] is NSNull)

                let missing = try await Self.status(bootstrap, ["--topic", "no-such-topic"])
                #expect(missing.status == .exited(1), "\(missing)")
                #expect(missing.stderrLines.count == 1 && missing.stderr.contains("topic no-such-topic does not exist"), "\(missing)")

                for (flag, value) in [
                    ("--rate", "fast"), ("--workers", "0"), ("--latency-s", "0"), ("--next-cohort", "monday"),
                    ("--metrics-url", "ftp://x"),
                ] {
                    let bad = try await Self.status(bootstrap, ["--topic", topic, flag, value])
                    #expect(bad.status == .exited(1), "\(flag) \(value): \(bad)")
                    #expect(bad.stderrLines.count == 1 && bad.stderr.contains(flag), "\(flag) \(value): \(bad)")
                }
            }
        }
    }
}

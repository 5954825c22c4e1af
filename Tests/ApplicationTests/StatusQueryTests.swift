import Foundation
import Kafka
import Operations
import ProcessTestSupport
import Settings
import Testing

@testable import CardGeniusApp

/// `status`'s query in this process against the dev broker: the report as `status` prints it
/// (`--json` and text). Flag parsing, exit codes and error lines stay in the CLI suite.
@Suite("Status query", .serialized)
struct StatusQueryTests {
    /// A dev broker whose `spends` topic holds 10, 20 and 30 records in partitions 0, 1, 2.
    static func withTopic(_ body: (_ bootstrap: String) async throws -> Void) async throws {
        let cluster = try KafkaMockCluster(brokers: 1, logger: AppHarness.logger())
        do {
            try cluster.createTopic("spends", partitions: 3)
            try await AppHarness.publish(
                cluster.bootstrapServers,
                (0..<3).flatMap { p in
                    (0..<(10 * (p + 1))).map { i in
                        KafkaProducerRecord(topic: "spends", partition: Int32(p), key: Array("u\(p)-\(i)".utf8), value: Array("v\(p)-\(i)".utf8))
                    }
                })
            try await body(cluster.bootstrapServers)
        } catch {
            await cluster.shutdown()
            throw error
        }
        await cluster.shutdown()
    }

    /// The report on `spends` for `group`, with the settings' defaults but for the brokers.
    static func report(
        _ bootstrap: String, group: String, _ overrides: StatusQuery.Overrides,
        settings: (inout ServiceSettings) -> Void = { _ in }
    ) async throws -> StatusReport {
        var s = ServiceSettings()
        s.kafka.bootstrapServers = bootstrap
        settings(&s)
        return try await StatusQuery(settings: s, overrides: overrides, topic: "spends", group: group, logger: AppHarness.logger()).report()
    }

    static func json(_ report: StatusReport) throws -> [String: Any] {
        let text = report.renderJSON()
        #expect(!text.contains("\n"), "one JSON line: \(text)")
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "\(text)")
    }

    static func overrides(rate: Double? = nil, workers: Int? = nil, latency: Double? = nil, nextCohortMs: Int64? = nil) -> StatusQuery.Overrides {
        var o = StatusQuery.Overrides()
        o.rate = rate
        o.workers = workers
        o.latency = latency
        o.nextCohortMs = nextCohortMs
        return o
    }

    @Test("JSON: committed vs end, lag, totals, drain time from the given budgets, cohort verdict, members unavailable on the mock")
    func json() async throws {
        let group = TestLogging.unique("status")
        try await Self.withTopic { bootstrap in
            try await AppHarness.commit(bootstrap, group: group, topic: "spends", [0: (4, "cg1:4:1,3"), 1: (20, nil)])
            let nextCohort = try ISO8601Timestamp.parse("2099-01-05")
            let o = try Self.json(
                try await Self.report(
                    bootstrap, group: group,
                    Self.overrides(rate: 2, workers: 4, latency: 1, nextCohortMs: nextCohort)))
            #expect(o["group"] as? String == group && o["topic"] as? String == "spends")
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
            #expect(
                t["rate_source"] as? String == "--rate" && t["workers_source"] as? String == "--workers"
                    && t["latency_source"] as? String == "--latency-s")
            #expect(o["drain_seconds"] as? Double == 18)
            let cohort = try #require(o["next_cohort"] as? [String: Any])
            #expect(cohort["drains_before"] as? Bool == true)
            #expect(cohort["at"] as? String == "2099-01-05T00:00:00Z" && cohort["source"] as? String == "--next-cohort")
            let members = try #require(o["members"] as? [String: Any])
            #expect(members["available"] as? Bool == false)
            #expect((members["reason"] as? String)?.contains("DescribeConsumerGroups") == true)

            // Workers bound: 4 workers / 2 s = 2 rec/s < rate 10.
            let b = try Self.json(try await Self.report(bootstrap, group: group, Self.overrides(rate: 10, workers: 4, latency: 2)))
            #expect((b["throughput"] as? [String: Any])?["limited_by"] as? String == "workers")
            #expect(b["drain_seconds"] as? Double == 18)
        }
    }

    @Test("text: the table, the drain line and the cohort warning when it will not drain in time (a warning, not an error)")
    func text() async throws {
        let group = TestLogging.unique("status-text")
        try await Self.withTopic { bootstrap in
            try await AppHarness.commit(bootstrap, group: group, topic: "spends", [0: (10, nil), 1: (5, nil), 2: (30, nil)])
            let soon = Int64((Date().timeIntervalSince1970 + 20) * 1000)
            let report = try await Self.report(
                bootstrap, group: group,
                Self.overrides(rate: 0.5, workers: 20, latency: 1.5, nextCohortMs: soon))
            let text = report.renderText()
            let lines = text.split(separator: "\n")
            #expect(lines.contains { $0.split(separator: " ").map(String.init) == ["1", "5", "20", "15", "-"] }, "\(text)")
            #expect(lines.contains { $0.split(separator: " ").map(String.init) == ["total", "60", "15", "-"] }, "\(text)")
            #expect(text.contains("time to drain: 30 s for 15 record(s)"), "\(text)")
            #expect(text.contains("WARNING: does not drain before the next cohort"), "\(text)")
            #expect(text.contains("members: not available (the broker does not answer DescribeConsumerGroups"), "\(text)")

            // The settings' 20 workers at the default 1.5 s do not matter: the rate of 0.5 bounds it.
            let o = try Self.json(try await Self.report(bootstrap, group: group, Self.overrides(rate: 0.5, nextCohortMs: soon)))
            #expect((o["next_cohort"] as? [String: Any])?["drains_before"] as? Bool == false)
        }
    }

    @Test("defaults: rate and workers from the settings, latency 1.5 s, next Monday; unlimited when the rate limit is off; a group with no commits")
    func defaults() async throws {
        try await Self.withTopic { bootstrap in
            let report = try await Self.report(bootstrap, group: TestLogging.unique("fresh"), Self.overrides()) {
                $0.processing.maxWorkers = 6
                $0.api.rateLimit.requestsPerSecond = 3
            }
            let o = try Self.json(report)
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

            let unlimited = try Self.json(
                try await Self.report(bootstrap, group: TestLogging.unique("fresh"), Self.overrides()) {
                    $0.api.rateLimit.enabled = false
                })
            #expect((unlimited["throughput"] as? [String: Any])?["rate"] is NSNull)
            #expect((unlimited["throughput"] as? [String: Any])?["limited_by"] as? String == "workers")

            let fresh = try await Self.report(bootstrap, group: TestLogging.unique("fresh"), Self.overrides())
            #expect(fresh.renderText().contains("has no committed offsets"), "\(fresh.renderText())")
        }
    }

    @Test("an unknown topic is one StartupError line naming it")
    func unknownTopic() async throws {
        try await Self.withTopic { bootstrap in
            var s = ServiceSettings()
            s.kafka.bootstrapServers = bootstrap
            let query = StatusQuery(settings: s, overrides: .init(), topic: "no-such-topic", group: "g", logger: AppHarness.logger())
            let error = await #expect(throws: StartupError.self) { _ = try await query.report() }
            #expect(error?.description == "status: topic no-such-topic does not exist at \(bootstrap)", "\(String(describing: error))")
        }
    }
}

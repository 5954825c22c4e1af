import Foundation
import Kafka
import ProcessTestSupport
import Settings
import Testing

@testable import CardGeniusApp

/// `consume`'s member in this process, against the dev broker and the simulator.
@Suite("Member", .serialized)
struct MemberTests {
    @Test("a member serves /metrics, /healthz and /readyz, processes every record, and on stop drains, commits and closes the endpoint")
    func servesAndDrains() async throws {
        let partitions: Int32 = 4
        let users = 60
        let cluster = try AppHarness.cluster(partitions: partitions)
        let sim = try await AppHarness.simulator(latency: 20)
        let input = AppHarness.temporaryPath("member-users")
        try AppHarness.users(users).write(toFile: input, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: input) }
        let inputTopic = ServiceSettings().kafka.inputTopic
        let published = try await ProducerJob(
            input: input, format: .jsonl, cohort: "2026-W48", topic: inputTopic,
            rejectsPath: input + ".rejects.jsonl", showProgress: false,
            logger: AppHarness.logger()
        )
        .publish(bootstrapServers: cluster.bootstrapServers, properties: [:])
        #expect(published == ProducerJob.Summary(published: users, rejected: 0, undelivered: 0, rejectsPath: input + ".rejects.jsonl"))

        let port = HTTP.freePort()
        let group = TestLogging.unique("member")
        let overrides = [
            "kafka.bootstrap_servers": cluster.bootstrapServers, "api.url": sim.url, "kafka.group_id": group,
            "metrics.port": String(port), "processing.commit_interval_ms": "200",
            "api.rate_limit.requests_per_second": "200", "api.rate_limit.burst": "50",
        ]
        let settings = try AppHarness.settings(overrides)
        var options = Member.Options(settings: try await AppHarness.settingsWatcher(overrides))
        options.shutdownSignals = []
        let member = try await Member(settings: settings, options: options, logger: AppHarness.logger())
        let run = Task { try await member.run() }

        let base = "http://127.0.0.1:\(port)"
        let ready = await waitUntil(timeout: .seconds(30)) { await HTTP.get(base + "/readyz")?.status == 200 }
        #expect(ready, "/readyz never answered 200")
        let readyz = await HTTP.get(base + "/readyz")
        #expect(readyz?.body.contains(#""status":"ready""#) == true, "\(readyz?.body ?? "no answer")")
        #expect(await HTTP.get(base + "/healthz")?.body == "{\"status\":\"up\"}\n")
        let metrics = try #require(await HTTP.get(base + "/metrics"))
        #expect(metrics.status == 200)
        #expect(metrics.body.contains("process_cpu_seconds_total"))
        #expect(metrics.body.contains("cardgenius_api_latency_seconds_bucket"))

        let processed = await waitUntil(timeout: .seconds(60)) { member.pipeline.statistics.snapshot.completed >= users }
        #expect(processed, "completed \(member.pipeline.statistics.snapshot.completed) of \(users)")
        await member.stop()
        let outcome = try await run.value
        #expect(outcome.statistics.ok == users)
        #expect(outcome.consumedLine.hasPrefix("consumed \(users) records: \(users) recommended, 0 dead-lettered, 0 skipped;"))
        #expect(outcome.summary.hasPrefix("summary\n"))
        // Drained: the group holds every record's offset, and the endpoint is gone.
        let committed = try await AppHarness.committed(cluster.bootstrapServers, group: group, topic: inputTopic, partitions: partitions)
        #expect(committed.values.reduce(0, +) == Int64(users), "\(committed)")
        #expect(await HTTP.get(base + "/healthz") == nil)
        await sim.stop()
        await cluster.shutdown()
    }
}

import Foundation
import Kafka
import Pipeline
import Simulator
import Testing

/// What outside parties send cannot stop the group: `Retry-After` headers of any content
/// from CardGenius, commit metadata of any content from another client of the group. Real
/// `cardgenius consume` processes, the mock cluster over TCP, the simulator over HTTP.
@Suite("Untrusted input: Retry-After and commit metadata", .serialized)
struct UntrustedInputTests {
    let topics = TestTopics()

    @Test("a 503 with Retry-After in the year 999999999 neither crashes the member nor stops it calling")
    func absurdRetryAfterDate() async throws {
        var config = SimulatorConfiguration(top: 2, latencyMilliseconds: 10, latencySigma: 0.1, fail503: 1)
        config.retryAfter = "Sun, 06 Nov 999999999 08:49:37 GMT"
        let (cluster, sim, _) = try await topics.start(partitions: 2, users: 20, config)
        let m = try topics.consume(
            cluster, sim.url, group: Harness.unique("g"), ["--max-workers", "4", "--rate", "100"],
            ["CARDGENIUS_API_RETRY_BASE_DELAY_MS": "50", "CARDGENIUS_API_RETRY_MAX_DELAY_MS": "200"])
        try await waitFor("the member got several such 503s", timeout: .seconds(90)) {
            sim.simulator.statistics().count(status: 503) >= 5
        }
        #expect(await m.wait(timeout: .seconds(3)) == nil, "still running; stderr tail: \(m.stderr.suffix(1500))")
        m.signal(SIGKILL)
        _ = await m.wait(timeout: .seconds(30))
        await sim.stop()
        await cluster.shutdown()
    }

    @Test("a 429 asking for 999999999 s: held 300 s, logged with both durations, on /readyz and as cardgenius_api_hold_seconds")
    func longHoldIsVisible() async throws {
        var config = SimulatorConfiguration(top: 2, latencyMilliseconds: 10, latencySigma: 0.1, rateLimit: 1, burst: 1)
        config.retryAfter = "999999999"
        let (cluster, sim, _) = try await topics.start(partitions: 2, users: 40, config)
        let port = Scrape.freePort()
        let m = try topics.consume(
            cluster, sim.url, group: Harness.unique("g"),
            ["--max-workers", "4", "--rate", "100", "--metrics-port", String(port)])
        let base = "http://127.0.0.1:\(port)"
        var readiness: (status: Int, body: String)? = nil
        let deadline = ContinuousClock.now + .seconds(90)
        while ContinuousClock.now < deadline {
            if let answer = await Scrape.get(base + "/readyz"), answer.body.contains("Retry-After") {
                readiness = answer
                break
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        let ready = try #require(readiness, "/readyz never named the hold; stderr tail: \(m.stderr.suffix(1500))")
        #expect(ready.status == 503)
        #expect(ready.body.contains("asked 999999999 s, applied 300 s"), "\(ready.body)")
        let samples = try #require(await Scrape.metrics(base))
        let held = try #require(samples.value("cardgenius_api_hold_seconds"), "the gauge is exported")
        #expect(held > 60 && held <= 300, "remaining hold: \(held)")
        #expect(sim.simulator.statistics().count(status: 429) >= 1)
        let warnings = m.stderr.split(separator: "\n").filter {
            $0.contains("warning") && $0.contains("CardGenius asked to hold every call for 999999999 s (Retry-After); holding for 300 s")
        }
        #expect(warnings.count == 1, "one warning when the long hold starts: \(m.stderr.suffix(2000))")
        #expect(await m.wait(timeout: .seconds(1)) == nil, "still running")
        m.signal(SIGTERM)
        #expect(await m.wait(timeout: .seconds(60)) == 0, "stderr tail: \(m.stderr.suffix(1500))")
        await sim.stop()
        await cluster.shutdown()
    }

    @Test("commit metadata from another client (overflowing, huge, too long, not ours): status says foreign, a member processes every record")
    func foreignCommitMetadata() async throws {
        let (cluster, sim, users) = try await topics.start(
            partitions: 4, users: 200,
            SimulatorConfiguration(top: 2, latencyMilliseconds: 10, latencySigma: 0.1))
        let bootstrap = cluster.bootstrapServers
        let group = Harness.unique("g")
        // 240 ranges of a million offsets (as many as fit in 3,500 B), all past the
        // partition's end (the old decoder inserted 2.4·10⁸ offsets under the state lock).
        let million = Int64(1_000_000)
        let huge = (0..<Int64(240)).map { i in
            let a = 10_000 + i * (million + 1)
            return String(a, radix: 36) + "-" + String(a + million - 1, radix: 36)
        }.joined(separator: ",")
        // Longer than what cardgenius writes, claiming offsets that were never processed.
        var long = "cg1:1:"
        var d = 1
        while long.utf8.count <= CommitMetadata.maxBytes + 100 {
            long += (d > 1 ? "," : "") + String(d, radix: 36)
            d += 1
        }
        #expect(("cg1:1:" + huge).utf8.count <= CommitMetadata.maxBytes)
        let metadata: [Int32: String] = [
            0: "cg1:1:1y2p0ij32e8e7",  // base + Int64.max overflowed
            1: "cg1:1:" + huge,
            2: long,
            3: "mirror:{\"from\":\"dc1\",\"offset\":1}",
        ]
        let committer = try KafkaConsumer(configuration: .init(bootstrapServers: bootstrap, groupID: group), logger: Harness.logger())
        try await committer.commit(metadata.map { KafkaPartitionOffset(topic: topics.input, partition: $0.key, offset: 1, metadata: $0.value) })
        await committer.close()

        let status = try Member(
            ["status", "--brokers", bootstrap, "--topic", topics.input, "--group", group, "--log-level", "error"],
            environment: topics.environment())
        #expect(await status.wait(timeout: .seconds(60)) == 0, "status exits 0: \(status.stderr.suffix(1500))")
        let rows = status.stdout.split(separator: "\n").filter { $0.contains("foreign metadata") }
        #expect(rows.map { $0.split(separator: " ").first.map(String.init) } == ["0", "2", "3"], "\(status.stdout)")

        let m = try topics.consume(cluster, sim.url, group: group, ["--exit-when-idle", "3", "--max-workers", "8", "--rate", "200"])
        #expect(await m.wait(timeout: .seconds(180)) == 0, "stderr tail: \(m.stderr.suffix(2000))")
        #expect(
            m.stderr.split(separator: "\n").filter { $0.contains("ignoring foreign commit metadata") }.count == 3,
            "\(m.stderr.suffix(2000))")
        let input = try await Harness.readToEnd(bootstrap, topics: [topics.input])
        #expect(input.count == users.count)
        let expected = Set(input.filter { $0.offset >= 1 }.map { "\($0.partition):\($0.offset)" })
        let results = RunResults(try await Harness.readToEnd(bootstrap, topics: [topics.output, topics.dlq]), outputTopic: topics.output)
        #expect(results.deadLetters.isEmpty)
        #expect(
            expected.subtracting(results.sources).isEmpty,
            "every record above the committed offsets has a result; missing: \(expected.subtracting(results.sources).sorted().prefix(20))")
        var ends: [Int32: Int64] = [:]
        for r in input { ends[r.partition] = max(ends[r.partition] ?? 0, r.offset + 1) }
        let committed = try await Harness.committed(bootstrap, group: group, topic: topics.input, partitions: 4)
        #expect(committed == ends, "committed offsets reach the end")
        await sim.stop()
        await cluster.shutdown()
    }
}

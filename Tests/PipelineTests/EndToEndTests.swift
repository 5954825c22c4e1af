import Foundation
import Kafka
import Simulator
import Testing

/// The pipeline end to end: real `cardgenius consume` processes, the mock cluster over
/// TCP, the simulator over HTTP.
@Suite("Pipeline end to end", .serialized)
struct EndToEndTests {
    let topics = TestTopics()
    var input: String { topics.input }
    var output: String { topics.output }
    var dlq: String { topics.dlq }

    func member(_ cluster: KafkaMockCluster, _ api: String, group: String, _ args: [String], _ extra: [String: String] = [:]) throws -> Member {
        try topics.consume(cluster, api, group: group, args, extra)
    }

    @Test("a cohort with malformed records: one output per user, one dead letter per bad record, offsets committed")
    func cohortWithMalformedRecords() async throws {
        let cluster = try Harness.cluster(topics: (input, output, dlq))
        let sim = try await Harness.simulator(SimulatorConfiguration(latencyMilliseconds: 20, latencySigma: 0.2))
        let good = (0..<200).map(Harness.user)
        let bad: [(key: String?, value: String, field: String)] = [
            ("bad-1", "garbage{", "(record)"),
            ("bad-2", "[1,2,3]", "(record)"),
            ("bad-3", #"{"fuel":100}"#, "user_id"),
            ("bad-4", #"{"user_id":"","fuel":1}"#, "user_id"),
            ("bad-5", #"{"user_id":"bad-5","fuel":-5}"#, "fuel"),
            ("bad-6", #"{"user_id":"bad-6","rent":"12k"}"#, "rent"),
            ("bad-7", #"{"user_id":"bad-7","rent":NaN}"#, "rent"),
            ("bad-8", #"{"user_id":"bad-8","amazon_spend":5}"#, "amazon_spend"),
            ("bad-9", #"{"user_id":"bad-9","fuel":1e400}"#, "fuel"),
            ("bad-10", #"{"user_id":"bad-10","fuel":1,"fuel":2}"#, "fuel"),
            ("bad-11", #"{"user_id":"bad-11","fuel":{"a":1}}"#, "fuel"),
            ("someone-else", #"{"user_id":"bad-12","fuel":1}"#, "user_id"),
            ("bad-13", #"{"user_id":"bad-13","fuel":null}"#, "fuel"),
            ("bad-14", "", "(record)"),
        ]
        try await Harness.produce(
            cluster.bootstrapServers, topic: input,
            records: good + bad.prefix(7).map { ($0.key, $0.value) })
        // Interleave: more records after the bad ones, same partitions; and one user updated
        // five times, whose results must come out in the order of the updates.
        let updates = (1...5).map { n in (key: Optional("user-7"), value: #"{"user_id":"user-7","amazon_spends":\#(n * 1000)}"#) }
        try await Harness.produce(
            cluster.bootstrapServers, topic: input,
            records: bad.dropFirst(7).map { ($0.key, $0.value) } + updates)
        let group = Harness.unique("g")
        let m = try member(cluster, sim.url, group: group, ["--exit-when-idle", "2", "--max-workers", "10", "--rate", "200", "--burst", "20"])
        let status = await m.wait(timeout: .seconds(90))
        #expect(status == 0, "member exit status; stderr tail: \(m.stderr.suffix(1500))")

        let results = RunResults(
            try await Harness.readAll(
                cluster.bootstrapServers, topics: [output, dlq],
                atLeast: good.count + bad.count + updates.count),
            outputTopic: output)
        #expect(results.outputs.count == good.count + updates.count)
        #expect(Set(results.outputs.compactMap(\.keyString)) == Set(good.compactMap(\.key)))
        // Per key, results are published in the order of the input records.
        let user7 = results.outputs.filter { $0.keyString == "user-7" }
        #expect(user7.count == 6)
        #expect(Set(user7.map(\.partition)).count == 1, "one key, one output partition")
        let sourceOffsets = RunResults(user7, outputTopic: output).sources.map { Int($0.split(separator: ":")[1])! }
        #expect(sourceOffsets == sourceOffsets.sorted(), "results in input order: \(sourceOffsets)")
        #expect(results.deadLetters.count == bad.count)
        for b in bad {
            let letter = results.deadLetters.first { String(decoding: $0.value ?? [], as: UTF8.self) == b.value && $0.keyString == b.key }
            #expect(letter != nil, "dead letter for \(b.value)")
            #expect(letter?.headers.string("error.class") == "invalid-record")
            #expect(
                letter?.headers.string("error.message")?.hasPrefix(b.field + ":") == true,
                "\(b.value): \(letter?.headers.string("error.message") ?? "none")")
            #expect(letter?.headers.string("cohort") == "2026-W48")
            #expect(letter?.headers.string("source.topic") == input)
            #expect(letter?.headers.string("error.attempts") == "0")
        }
        // The output contract.
        let first = try #require(results.outputs.first)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(first.value ?? [])) as? [String: Any])
        #expect(json["schema_version"] as? Int == 1)
        #expect(json["user_id"] as? String == first.keyString)
        #expect(json["cohort"] as? String == "2026-W48")
        #expect((json["attempts"] as? Int ?? 0) >= 1)
        #expect(((json["savings"] as? [[String: Any]])?.count ?? 0) > 0)
        #expect(first.headers.string("content-type") == "application/json")
        #expect(first.headers.string("cohort") == "2026-W48")
        // Every record is complete, so the committed offsets are the partitions' ends.
        let committed = try await Harness.committed(cluster.bootstrapServers, group: group, topic: input, partitions: 8)
        #expect(committed.values.reduce(0, +) == Int64(good.count + bad.count + updates.count))
        await sim.stop()
        await cluster.shutdown()
    }

    @Test("two and three members in separate processes share the group's budgets", arguments: [2, 3])
    func membersShareBudgets(members: Int) async throws {
        let cluster = try Harness.cluster(topics: (input, output, dlq))
        let sim = try await Harness.simulator(SimulatorConfiguration(latencyMilliseconds: 300, latencySigma: 0.1))
        let users = (0..<360).map(Harness.user)
        try await Harness.produce(cluster.bootstrapServers, topic: input, records: users)
        let group = Harness.unique("g")
        let ms = try (0..<members).map { _ in
            try member(cluster, sim.url, group: group, ["--exit-when-idle", "3", "--max-workers", "6", "--rate", "20", "--burst", "5"])
        }
        for m in ms {
            let status = await m.wait(timeout: .seconds(120))
            #expect(status == 0, "stderr tail: \(m.stderr.suffix(1500))")
        }
        let stats = sim.simulator.statistics()
        #expect(stats.peakConcurrency <= 6, "peak concurrency \(stats.peakConcurrency) over the budget of 6")
        #expect(stats.peakRPS <= 25, "peak calls/s \(stats.peakRPS) over rate + burst = 25")
        #expect(stats.count(status: 200) >= users.count)
        #expect(stats.count(status: 429) == 0)
        let results = RunResults(
            try await Harness.readAll(cluster.bootstrapServers, topics: [output, dlq], atLeast: users.count),
            outputTopic: output)
        #expect(results.userIDsWithResult == Set(users.compactMap(\.key)))
        #expect(results.deadLetters.isEmpty)
        // Each member did part of the work.
        let busy = ms.filter { $0.stdout.contains("consumed") && !$0.stdout.contains("consumed 0 records") }.count
        #expect(busy >= 2)
        await sim.stop()
        await cluster.shutdown()
    }

    @Test("a member killed with SIGKILL and restarted loses nothing; duplicates only among what was in flight")
    func killAndRestart() async throws {
        let cluster = try Harness.cluster(topics: (input, output, dlq))
        let sim = try await Harness.simulator(SimulatorConfiguration(latencyMilliseconds: 100, latencySigma: 0.1))
        let users = (0..<500).map(Harness.user)
        try await Harness.produce(cluster.bootstrapServers, topic: input, records: users)
        let group = Harness.unique("g")
        let args = ["--exit-when-idle", "2", "--max-workers", "10", "--rate", "60", "--burst", "10"]
        let first = try member(cluster, sim.url, group: group, args)
        // Kill it mid-run: once about a third of the work is done.
        while sim.simulator.statistics().count(status: 200) < 150 { try await Task.sleep(for: .milliseconds(50)) }
        first.signal(SIGKILL)
        _ = await first.wait(timeout: .seconds(10))
        let second = try member(cluster, sim.url, group: group, args)
        let status = await second.wait(timeout: .seconds(120))
        #expect(status == 0, "stderr tail: \(second.stderr.suffix(1500))")
        let records = try await Harness.readAll(cluster.bootstrapServers, topics: [output, dlq], atLeast: users.count)
        let results = RunResults(records, outputTopic: output)
        #expect(results.userIDsWithResult == Set(users.compactMap(\.key)), "nothing lost")
        let duplicates = results.sources.count - Set(results.sources).count
        // In flight at the kill: at most 10 calls, plus results not yet committed (200 ms
        // of commits at 60 calls/s = 12) — the completed offsets above the watermark are
        // skipped thanks to the commit metadata.
        #expect(duplicates <= 10 + 12 + 4, "duplicates \(duplicates)")
        print("chaos: one SIGKILL, \(users.count) records, \(duplicates) redone")
        await sim.stop()
        await cluster.shutdown()
    }

    @Test("API faults (503s, resets, hangs, truncated bodies, 429 storms): nothing lost, nothing dead-lettered")
    func apiFaults() async throws {
        let cluster = try Harness.cluster(topics: (input, output, dlq))
        let sim = try await Harness.simulator(
            SimulatorConfiguration(
                latencyMilliseconds: 30, latencySigma: 0.2, rateLimit: 40, burst: 5,
                fail503: 0.1, failHang: 0.03, hangSeconds: 3, failReset: 0.05, failTruncate: 0.05, seed: 7))
        let users = (0..<300).map(Harness.user)
        try await Harness.produce(cluster.bootstrapServers, topic: input, records: users)
        let m = try member(
            cluster, sim.url, group: Harness.unique("g"),
            ["--exit-when-idle", "3", "--max-workers", "10", "--rate", "80", "--burst", "20"],
            [
                "CARDGENIUS_API_REQUEST_TIMEOUT_S": "0.5", "CARDGENIUS_API_RETRY_MAX_ATTEMPTS": "10",
                "CARDGENIUS_API_RETRY_BASE_DELAY_MS": "20", "CARDGENIUS_API_RETRY_MAX_DELAY_MS": "500",
            ])
        let status = await m.wait(timeout: .seconds(150))
        #expect(status == 0, "stderr tail: \(m.stderr.suffix(1500))")
        let stats = sim.simulator.statistics()
        #expect(
            stats.count(status: 503) > 0 && stats.count(status: 429) > 0 && stats.resets > 0 && stats.hangs > 0,
            "the faults happened: \(stats)")
        let results = RunResults(
            try await Harness.readAll(cluster.bootstrapServers, topics: [output, dlq], atLeast: users.count),
            outputTopic: output)
        #expect(results.userIDsWithResult == Set(users.compactMap(\.key)))
        #expect(results.deadLetters.isEmpty, "dead letters: \(results.deadLetters.map { $0.headers.string("error.message") ?? "" })")
        await sim.stop()
        await cluster.shutdown()
    }

    @Test("an outage window opens the breaker; no dead letters; processing resumes by itself")
    func outage() async throws {
        let cluster = try Harness.cluster(topics: (input, output, dlq))
        let users = (0..<300).map(Harness.user)
        try await Harness.produce(cluster.bootstrapServers, topic: input, records: users)
        let sim = try await Harness.simulator(
            SimulatorConfiguration(
                latencyMilliseconds: 50, latencySigma: 0.1, outageAfter: 5, outageFor: 4))
        let m = try member(
            cluster, sim.url, group: Harness.unique("g"),
            [
                "--exit-when-idle", "3", "--max-workers", "8", "--rate", "40", "--burst", "8",
                "--breaker-threshold", "5", "--breaker-open-ms", "500",
            ],
            ["CARDGENIUS_API_RETRY_BASE_DELAY_MS": "50", "CARDGENIUS_API_RETRY_MAX_DELAY_MS": "300"])
        let status = await m.wait(timeout: .seconds(150))
        #expect(status == 0, "stderr tail: \(m.stderr.suffix(1500))")
        let stats = sim.simulator.statistics()
        #expect(stats.count(status: 503) > 0, "the outage happened")
        #expect(m.stderr.contains("circuit breaker open"))
        #expect(m.stderr.contains("circuit breaker closed"))
        let results = RunResults(
            try await Harness.readAll(cluster.bootstrapServers, topics: [output, dlq], atLeast: users.count),
            outputTopic: output)
        #expect(results.userIDsWithResult == Set(users.compactMap(\.key)))
        #expect(results.deadLetters.isEmpty)
        await sim.stop()
        await cluster.shutdown()
    }

    @Test("SIGTERM drains in-flight work, commits and exits 0; a restart redoes nothing")
    func sigtermDrains() async throws {
        let cluster = try Harness.cluster(topics: (input, output, dlq))
        let sim = try await Harness.simulator(SimulatorConfiguration(latencyMilliseconds: 400, latencySigma: 0.1))
        let users = (0..<200).map(Harness.user)
        try await Harness.produce(cluster.bootstrapServers, topic: input, records: users)
        let group = Harness.unique("g")
        let args = ["--exit-when-idle", "2", "--max-workers", "10", "--rate", "50", "--burst", "10"]
        let first = try member(cluster, sim.url, group: group, args)
        while sim.simulator.statistics().count(status: 200) < 40 { try await Task.sleep(for: .milliseconds(50)) }
        first.signal(SIGTERM)
        let status = await first.wait(timeout: .seconds(40))
        #expect(status == 0, "stderr tail: \(first.stderr.suffix(1500))")
        let callsAtStop = sim.simulator.statistics().count(status: 200)
        let committed = try await Harness.committed(cluster.bootstrapServers, group: group, topic: input, partitions: 8)
        let results = RunResults(
            try await Harness.readAll(cluster.bootstrapServers, topics: [output, dlq], atLeast: callsAtStop),
            outputTopic: output)
        #expect(results.outputs.count == callsAtStop, "every call that was in flight finished and was published")
        // Every committed record has its output.
        let sources = Set(results.sources)
        for (partition, offset) in committed where offset > 0 {
            for o in 0..<offset { #expect(sources.contains("\(partition):\(o)"), "committed \(partition):\(o) has no output") }
        }
        let second = try member(cluster, sim.url, group: group, args)
        #expect(await second.wait(timeout: .seconds(120)) == 0)
        let all = RunResults(
            try await Harness.readAll(cluster.bootstrapServers, topics: [output, dlq], atLeast: users.count),
            outputTopic: output)
        #expect(all.userIDsWithResult == Set(users.compactMap(\.key)))
        #expect(all.sources.count == Set(all.sources).count, "a drained member's work is never redone")
        await sim.stop()
        await cluster.shutdown()
    }
}

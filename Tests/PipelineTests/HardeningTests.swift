import Foundation
import Kafka
import Simulator
import Testing

/// What the dev broker hides and real clusters do every week: rebalances while partitions
/// hold more than a member buffers, calls that outlive a revocation, writes the broker
/// refuses for good. Real `cardgenius consume` processes, the mock cluster over TCP with
/// faults injected, the simulator over HTTP.
@Suite("Hardening: rebalances under backlog, refused writes", .serialized)
struct HardeningTests {
    let topics = TestTopics()
    /// Dead members leave the group after about twice this on the mock cluster.
    static let fastSession = ["CARDGENIUS_KAFKA_PROPERTIES": #"{"session.timeout.ms":"6000","heartbeat.interval.ms":"1000"}"#]

    func member(_ cluster: KafkaMockCluster, _ api: String, group: String, _ args: [String], _ extra: [String: String] = [:]) throws -> Member {
        try topics.consume(cluster, api, group: group, args, Self.fastSession.merging(extra) { $1 })
    }

    @Test("members joining, leaving (SIGTERM) and dying (SIGKILL) while partitions are paused: every record completes")
    func rebalancesUnderBacklog() async throws {
        // 400 records per partition: more than a member buffers (200), so fetching pauses.
        let (cluster, sim, users) = try await topics.start(users: 3200, SimulatorConfiguration(top: 2, latencyMilliseconds: 250, latencySigma: 0.1))
        let group = Harness.unique("g")
        let args = ["--exit-when-idle", "3", "--max-workers", "12", "--rate", "200", "--burst", "20"]
        let drain = ["CARDGENIUS_PROCESSING_DRAIN_TIMEOUT_S": "3"]
        let first = try member(cluster, sim.url, group: group, args, drain)
        try await Task.sleep(for: .seconds(6))
        let second = try member(cluster, sim.url, group: group, args, drain)
        try await Task.sleep(for: .seconds(6))
        first.signal(SIGTERM)
        let third = try member(cluster, sim.url, group: group, args, drain)
        try await Task.sleep(for: .seconds(6))
        second.signal(SIGKILL)
        #expect(await first.wait(timeout: .seconds(60)) == 0, "SIGTERM: stderr tail \(first.stderr.suffix(1000))")
        let status = await third.wait(timeout: .seconds(300))
        #expect(status == 0, "the last member finishes and exits when idle; stderr tail \(third.stderr.suffix(2000))")
        let committed = try await Harness.committed(cluster.bootstrapServers, group: group, topic: topics.input, partitions: 8)
        #expect(committed.values.reduce(0, +) == Int64(users.count), "committed offsets reach the end: \(committed)")
        let results = RunResults(try await Harness.readToEnd(cluster.bootstrapServers, topics: [topics.output, topics.dlq]), outputTopic: topics.output)
        #expect(results.userIDsWithResult == Set(users.compactMap(\.key)))
        #expect(results.deadLetters.isEmpty)
        print("chaos: 3 joins, 1 SIGTERM, 1 SIGKILL under backlog, \(users.count) records, \(results.sources.count - Set(results.sources).count) redone")
        await sim.stop()
        await cluster.shutdown()
    }

    @Test("a call that outlives the revocation drain never publishes over the next owner's newer result")
    func perKeyOrderAcrossRebalance() async throws {
        let cluster = try Harness.cluster(partitions: 1, topics: (topics.input, topics.output, topics.dlq))
        // The first call for fuel=777 (user-order's first record) answers 10 s late.
        var config = SimulatorConfiguration(top: 2, latencyMilliseconds: 20, latencySigma: 0.1)
        config.slowSpend = SlowSpend(field: "fuel", amount: 777, seconds: 10)
        let sim = try await Harness.simulator(config)
        let first = (key: Optional("user-order"), value: #"{"user_id":"user-order","fuel":777}"#)
        let newer = (key: Optional("user-order"), value: #"{"user_id":"user-order","fuel":778}"#)
        let others = (0..<20).map(Harness.user)
        try await Harness.produce(cluster.bootstrapServers, topic: topics.input, records: [first] + others + [newer])
        let group = Harness.unique("g")
        let args = ["--max-workers", "4", "--rate", "100", "--burst", "10"]
        let drain = ["CARDGENIUS_PROCESSING_DRAIN_TIMEOUT_S": "1"]
        let a = try member(cluster, sim.url, group: group, args, drain)
        // Once a's slow call is under way, b joins: a's drain (1 s) ends before the call does.
        try await waitFor("the other records are done") { sim.simulator.statistics().count(status: 200) >= 20 }
        let b = try member(cluster, sim.url, group: group, args, drain)
        try await waitFor("the slow call has answered", timeout: .seconds(60)) {
            sim.simulator.statistics().count(status: 200) >= 23  // 20 + the redo, the newer record and the slow one
        }
        try await Task.sleep(for: .seconds(3))  // let a stale publication land, if any
        a.signal(SIGTERM)
        b.signal(SIGTERM)
        #expect(await a.wait(timeout: .seconds(60)) == 0)
        #expect(await b.wait(timeout: .seconds(60)) == 0)
        let records = try await Harness.readToEnd(cluster.bootstrapServers, topics: [topics.output])
        let mine = RunResults(records.filter { $0.keyString == "user-order" }, outputTopic: topics.output)
        let sources = mine.sources.map { Int($0.split(separator: ":")[1])! }
        #expect(sources.count >= 2, "user-order's results: \(sources)")
        #expect(sources.last == 21, "the newest result for the user is the newest record's (offset 21), not a stale one: \(sources)")
        await sim.stop()
        await cluster.shutdown()
    }

    @Test("a result larger than the output topic accepts goes to the dead-letter topic as output-rejected")
    func outputRejected() async throws {
        // 20 cards ≈ 50 KB: over a 5,000-byte message.max.bytes; the dead letters fit.
        let (cluster, sim, users) = try await topics.start(
            partitions: 2, users: 30,
            SimulatorConfiguration(top: 20, latencyMilliseconds: 10, latencySigma: 0.1))
        let group = Harness.unique("g")
        let m = try member(
            cluster, sim.url, group: group, ["--exit-when-idle", "2", "--max-workers", "4", "--rate", "100"],
            ["CARDGENIUS_KAFKA_PROPERTIES": #"{"message.max.bytes":"5000"}"#])
        let status = await m.wait(timeout: .seconds(90))
        #expect(status == 0, "stderr tail: \(m.stderr.suffix(1500))")
        let results = RunResults(try await Harness.readToEnd(cluster.bootstrapServers, topics: [topics.output, topics.dlq]), outputTopic: topics.output)
        #expect(results.outputs.isEmpty)
        #expect(Set(results.deadLetters.compactMap(\.keyString)) == Set(users.compactMap(\.key)))
        for letter in results.deadLetters {
            #expect(letter.headers.string("error.class") == "output-rejected")
            #expect(
                letter.headers.string("error.message")?.contains("refused the result") == true,
                "\(letter.headers.string("error.message") ?? "none")")
        }
        let committed = try await Harness.committed(cluster.bootstrapServers, group: group, topic: topics.input, partitions: 2)
        #expect(committed.values.reduce(0, +) == Int64(users.count))
        await sim.stop()
        await cluster.shutdown()
    }

    @Test("every write refused by the broker: the member exits non-zero with one line naming the topic, commits nothing unproven")
    func writesRefused() async throws {
        let (cluster, sim, _) = try await topics.start(
            partitions: 2, users: 40,
            SimulatorConfiguration(top: 2, latencyMilliseconds: 10, latencySigma: 0.1))
        cluster.pushRequestErrors(.produce, Array(repeating: .topicAuthorizationFailed, count: 500))
        defer { cluster.clearRequestErrors(.produce) }
        let group = Harness.unique("g")
        let m = try member(cluster, sim.url, group: group, ["--max-workers", "4", "--rate", "100"])
        let status = await m.wait(timeout: .seconds(90))
        #expect(status != nil && status != 0, "exit status \(String(describing: status)); stderr tail: \(m.stderr.suffix(1500))")
        let errorLines = m.stderr.split(separator: "\n").filter { $0.hasPrefix("Error:") }
        #expect(errorLines.count == 1, "one closing line: \(errorLines)")
        #expect(
            errorLines.first?.contains("topic-refused") == true && errorLines.first?.contains(topics.output) == true,
            "\(errorLines)")
        cluster.clearRequestErrors(.produce)
        let committed = try await Harness.committed(cluster.bootstrapServers, group: group, topic: topics.input, partitions: 2)
        #expect(committed.values.allSatisfy { $0 <= 0 }, "nothing committed past a record without a result: \(committed)")
        await sim.stop()
        await cluster.shutdown()
    }
}

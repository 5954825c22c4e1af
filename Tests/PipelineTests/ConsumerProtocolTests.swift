import Foundation
import Kafka
import Simulator
import Synchronization
import Testing

/// Which librdkafka the spawned members load: the same as the test process (`make test`:
/// Debian's 2.0.2; `make test-librdkafka-current`: the wheel's, through LD_LIBRARY_PATH).
@Suite("librdkafka of the members", .serialized)
struct LibrdkafkaVersionTests {
    let topics = TestTopics()

    @Test("a member logs the librdkafka it loaded, its group protocol, and one produce request in flight on the mock cluster")
    func memberStartLine() async throws {
        let expected = ProcessInfo.processInfo.environment["LIBRDKAFKA_EXPECTED_VERSION"] ?? "2.0.2"
        let (cluster, sim, users) = try await topics.start(
            partitions: 2, users: 20,
            SimulatorConfiguration(top: 2, latencyMilliseconds: 10, latencySigma: 0.1))
        let m = try topics.consume(cluster, sim.url, group: Harness.unique("g"), ["--exit-when-idle", "1", "--metrics-port", "0"])
        #expect(await m.wait(timeout: .seconds(90)) == 0, "stderr tail: \(m.stderr.suffix(1500))")
        #expect(
            m.stderr.contains("librdkafka \(expected), group protocol classic, output produce requests in flight per broker: 1 (mock cluster)"),
            "stderr: \(m.stderr.prefix(3000))")
        let results = RunResults(
            try await Harness.readAll(
                cluster.bootstrapServers, topics: [topics.output, topics.dlq],
                atLeast: users.count), outputTopic: topics.output)
        #expect(results.userIDsWithResult.count == users.count)
        await sim.stop()
        await cluster.shutdown()
    }

    @Test(
        "kafka.group_protocol consumer on a librdkafka older than 2.12 is refused at start with one line naming the version needed",
        .enabled(if: !KafkaLibrary.supportsConsumerGroupProtocol, "librdkafka \(KafkaLibrary.versionString) supports the consumer protocol"))
    func consumerRefusedOnOldLibrary() async throws {
        let cluster = try Harness.cluster(partitions: 1, topics: (topics.input, topics.output, topics.dlq))
        let m = try topics.consume(
            cluster, "http://127.0.0.1:9/cg/api/pro", group: Harness.unique("g"), ["--metrics-port", "0"],
            ["CARDGENIUS_KAFKA_GROUP_PROTOCOL": "consumer"])
        let status = await m.wait(timeout: .seconds(60))
        #expect(status != nil && status != 0)
        let errorLines = m.stderr.split(separator: "\n").filter { $0.hasPrefix("Error:") }
        #expect(
            errorLines.count == 1 && errorLines.first?.contains("kafka.group_protocol \"consumer\" needs librdkafka >= 2.12.0") == true
                && errorLines.first?.contains(KafkaLibrary.versionString) == true, "stderr: \(m.stderr.suffix(1500))")
        await cluster.shutdown()
    }
}

/// The consumer group protocol (KIP-848) with `cardgenius consume` processes on librdkafka
/// 2.16's mock cluster: the broker assigns partitions incrementally, so a member joining or
/// leaving moves only the partitions that change owner. The same promises as the classic
/// protocol's tests (`EndToEndTests`, `HardeningTests`, `MemberFaultTests`): nothing lost,
/// the newest result per user last, offsets committed to the end.
@Suite(
    "Consumer group protocol end to end", .serialized,
    .enabled(
        if: KafkaLibrary.supportsConsumerGroupProtocol,
        "needs librdkafka >= 2.12 (this run loaded \(KafkaLibrary.versionString)); runs under make test-librdkafka-current"))
struct ConsumerProtocolTests {
    let topics = TestTopics()
    static let consumerProtocol = ["CARDGENIUS_KAFKA_GROUP_PROTOCOL": "consumer", "CARDGENIUS_PROCESSING_DRAIN_TIMEOUT_S": "3"]

    func member(
        _ cluster: KafkaMockCluster, _ api: String, group: String, _ args: [String],
        _ extra: [String: String] = [:]
    ) throws -> Member {
        try topics.consume(cluster, api, group: group, args + ["--metrics-port", "0"], Self.consumerProtocol.merging(extra) { $1 })
    }

    /// `count` users, each with an older and a newer record (published in that order).
    static func twoRecordsPerUser(_ count: Int) -> [(key: String?, value: String)] {
        let users = (0..<count).map(Harness.user)
        let newer = (0..<count).map { i in (key: Optional("user-\(i)"), value: #"{"user_id":"user-\#(i)","fuel":\#(100 + i % 9)}"#) }
        return users + newer
    }

    /// Every user has a result, the last one published for each user is its newest record's,
    /// and the group's commits reach the end of every partition.
    func checkComplete(_ cluster: KafkaMockCluster, group: String, records: [(key: String?, value: String)]) async throws {
        let committed = try await Harness.committed(cluster.bootstrapServers, group: group, topic: topics.input, partitions: 8)
        #expect(committed.values.reduce(0, +) == Int64(records.count), "committed offsets reach the end: \(committed)")
        let inputs = try await Harness.readToEnd(cluster.bootstrapServers, topics: [topics.input])
        var newest: [String: String] = [:]
        for r in inputs { if let k = r.keyString { newest[k] = "\(r.partition):\(r.offset)" } }
        let results = RunResults(
            try await Harness.readToEnd(cluster.bootstrapServers, topics: [topics.output, topics.dlq]),
            outputTopic: topics.output)
        #expect(results.deadLetters.isEmpty)
        #expect(results.userIDsWithResult == Set(records.compactMap(\.key)))
        var lastSource: [String: String] = [:]
        for r in results.outputs {
            if let k = r.keyString, let s = RunResults([r], outputTopic: topics.output).sources.first { lastSource[k] = s }
        }
        let stale = newest.filter { lastSource[$0.key] != $0.value }
        #expect(stale.isEmpty, "users whose last result is not their newest record's: \(stale.prefix(5))")
        print("consumer protocol: \(records.count) records, \(results.sources.count - Set(results.sources).count) redone")
    }

    @Test("end to end: two members share the partitions and process every record")
    func endToEnd() async throws {
        let records = Self.twoRecordsPerUser(300)
        let (cluster, sim, _) = try await topics.start(users: 0, SimulatorConfiguration(top: 2, latencyMilliseconds: 20, latencySigma: 0.1))
        try await Harness.produce(cluster.bootstrapServers, topic: topics.input, records: records)
        let group = Harness.unique("g")
        let args = ["--exit-when-idle", "3", "--max-workers", "8", "--rate", "200", "--burst", "20"]
        let a = try member(cluster, sim.url, group: group, args)
        let b = try member(cluster, sim.url, group: group, args)
        #expect(await a.wait(timeout: .seconds(180)) == 0, "stderr tail \(a.stderr.suffix(1500))")
        #expect(await b.wait(timeout: .seconds(180)) == 0, "stderr tail \(b.stderr.suffix(1500))")
        #expect(a.stderr.contains("group protocol consumer"), "stderr: \(a.stderr.prefix(2000))")
        // Budget shares follow the incremental assignments: half the partitions, half the workers.
        for m in [a, b] {
            #expect(
                m.stderr.contains("owned=4/8 share=in-flight 4,"),
                "budget share lines: \(m.stderr.components(separatedBy: "\n").filter { $0.contains("budget share") })")
        }
        try await checkComplete(cluster, group: group, records: records)
        await sim.stop()
        await cluster.shutdown()
    }

    @Test("members joining, leaving (SIGTERM) and dying (SIGKILL) under backlog: nothing lost, newest result per user last, offsets to the end")
    func joinsAndLeavesUnderBacklog() async throws {
        // 300 records per partition: more than a member buffers (200), so fetching pauses.
        let records = Self.twoRecordsPerUser(1200)
        let (cluster, sim, _) = try await topics.start(users: 0, SimulatorConfiguration(top: 2, latencyMilliseconds: 200, latencySigma: 0.1))
        try await Harness.produce(cluster.bootstrapServers, topic: topics.input, records: records)
        let group = Harness.unique("g")
        let args = ["--exit-when-idle", "3", "--max-workers", "12", "--rate", "200", "--burst", "20"]
        let first = try member(cluster, sim.url, group: group, args)
        try await Task.sleep(for: .seconds(5))
        let second = try member(cluster, sim.url, group: group, args)
        try await Task.sleep(for: .seconds(5))
        first.signal(SIGTERM)
        // The last member outwaits the dead member's session (10 s) before it exits when idle.
        let third = try member(cluster, sim.url, group: group, ["--exit-when-idle", "15"] + args.dropFirst(2))
        try await Task.sleep(for: .seconds(5))
        second.signal(SIGKILL)
        #expect(await first.wait(timeout: .seconds(60)) == 0, "SIGTERM: stderr tail \(first.stderr.suffix(1000))")
        let status = await third.wait(timeout: .seconds(300))
        #expect(status == 0, "the last member finishes and exits when idle; stderr tail \(third.stderr.suffix(2000))")
        try await checkComplete(cluster, group: group, records: records)
        await sim.stop()
        await cluster.shutdown()
    }

    @Test("a member killed with SIGKILL: the broker gives its partitions to the survivor after the session time-out; nothing lost")
    func sigkill() async throws {
        let records = Self.twoRecordsPerUser(600)
        let (cluster, sim, _) = try await topics.start(users: 0, SimulatorConfiguration(top: 2, latencyMilliseconds: 100, latencySigma: 0.1))
        try await Harness.produce(cluster.bootstrapServers, topic: topics.input, records: records)
        let group = Harness.unique("g")
        // The survivor waits longer when idle than the broker's session (10 s on the dev broker),
        // or it could finish its own partitions and exit before the dead member's move to it.
        let args = ["--exit-when-idle", "15", "--max-workers", "12", "--rate", "200", "--burst", "20"]
        let survivor = try member(cluster, sim.url, group: group, args)
        let victim = try member(cluster, sim.url, group: group, args)
        try await waitFor("both members have partitions", timeout: .seconds(90)) {
            survivor.stderr.contains("assigned 4 partition(s)") || victim.stderr.contains("assigned 4 partition(s)")
        }
        let before = sim.simulator.statistics().count(status: 200)
        try await waitFor("both members are working") { sim.simulator.statistics().count(status: 200) >= before + 100 }
        victim.signal(SIGKILL)
        #expect(await survivor.wait(timeout: .seconds(300)) == 0, "stderr tail \(survivor.stderr.suffix(2000))")
        try await checkComplete(cluster, group: group, records: records)
        await sim.stop()
        await cluster.shutdown()
    }

    @Test("a static member (kafka.group_instance_id) restarted within the session gets its partitions back; the other member is never revoked")
    func staticMemberRestart() async throws {
        let records = Self.twoRecordsPerUser(800)
        let (cluster, sim, _) = try await topics.start(users: 0, SimulatorConfiguration(top: 2, latencyMilliseconds: 100, latencySigma: 0.1))
        try await Harness.produce(cluster.bootstrapServers, topic: topics.input, records: records)
        let group = Harness.unique("g")
        let args = ["--exit-when-idle", "3", "--max-workers", "8", "--rate", "200", "--burst", "20"]
        let a = try member(cluster, sim.url, group: group, args, ["CARDGENIUS_KAFKA_GROUP_INSTANCE_ID": "pod-a"])
        try await waitFor("the first member has every partition", timeout: .seconds(90)) { a.stderr.contains("assigned 8 partition(s)") }
        let b = try member(cluster, sim.url, group: group, args, ["CARDGENIUS_KAFKA_GROUP_INSTANCE_ID": "pod-b"])
        try await waitFor("the second member has its partitions", timeout: .seconds(90)) { b.stderr.contains("assigned 4 partition(s)") }
        a.signal(SIGTERM)
        #expect(await a.wait(timeout: .seconds(60)) == 0, "stderr tail \(a.stderr.suffix(1500))")
        let again = try member(cluster, sim.url, group: group, args, ["CARDGENIUS_KAFKA_GROUP_INSTANCE_ID": "pod-a"])
        try await waitFor("the restarted member has its partitions back", timeout: .seconds(60)) { again.stderr.contains("assigned 4 partition(s)") }
        #expect(await again.wait(timeout: .seconds(300)) == 0, "stderr tail \(again.stderr.suffix(1500))")
        #expect(await b.wait(timeout: .seconds(300)) == 0, "stderr tail \(b.stderr.suffix(1500))")
        // Had the restart been a rebalance, b would have been given a's partitions (a second
        // non-empty assignment) and later revoked them; its one revocation is its own exit.
        let lines = b.stderr.components(separatedBy: "\n")
        let assignments = lines.filter { $0.contains("[Kafka] assigned ") && !$0.contains("assigned 0 partition") }
        let revocations = lines.filter { $0.contains("[Kafka] revoking ") }
        #expect(assignments.count == 1 && revocations.count <= 1, "the other member kept its partitions throughout: \(assignments + revocations)")
        try await checkComplete(cluster, group: group, records: records)
        await sim.stop()
        await cluster.shutdown()
    }

    @Test("replay refuses (exit 2) while consumer-protocol members run: its join check speaks the pipeline's protocol")
    func replayRefusedWhileMembersRun() async throws {
        let (cluster, sim, _) = try await topics.start(users: 2000, SimulatorConfiguration(top: 2, latencyMilliseconds: 200, latencySigma: 0.1))
        let group = Harness.unique("g")
        let m = try member(cluster, sim.url, group: group, ["--max-workers", "4", "--rate", "100"])
        try await waitFor("the member has its partitions", timeout: .seconds(90)) { m.stderr.contains("assigned 8 partition(s)") }
        let replay = try Member(
            [
                "replay", "--brokers", cluster.bootstrapServers, "--group", group, "--to", "earliest", "--yes",
                "--log-level", "error",
            ], environment: topics.environment(Self.consumerProtocol))
        let status = await replay.wait(timeout: .seconds(120))
        #expect(status == 2, "replay exit status \(String(describing: status)); stderr \(replay.stderr.suffix(1500))")
        #expect(replay.stderr.contains("group \(group) has active members"), "\(replay.stderr.suffix(1500))")
        #expect(m.isRunning, "the member keeps working")
        m.signal(SIGTERM)
        #expect(await m.wait(timeout: .seconds(60)) == 0, "stderr tail \(m.stderr.suffix(1500))")
        await sim.stop()
        await cluster.shutdown()
    }

    @Test(
        "partitions that stay with a member keep their calls in flight while another member joins and leaves",
        arguments: ["consumer"])
    func callsInFlightDuringJoinAndLeave(groupProtocol: String) async throws {
        let records = (0..<4000).map(Harness.user)
        let (cluster, sim, _) = try await topics.start(users: 0, SimulatorConfiguration(top: 2, latencyMilliseconds: 200, latencySigma: 0.1))
        try await Harness.produce(cluster.bootstrapServers, topic: topics.input, records: records)
        let group = Harness.unique("g")
        let args = ["--max-workers", "8", "--rate", "200", "--burst", "20"]
        let env = ["CARDGENIUS_KAFKA_GROUP_PROTOCOL": groupProtocol]
        let a = try member(cluster, sim.url, group: group, args, env)
        try await waitFor("the first member is working") { sim.simulator.statistics().count(status: 200) >= 50 }
        // Sample the simulator's calls in flight from before the join to after the leave.
        let sampler = InFlightSampler(sim.simulator)
        let sampling = Task { await sampler.run() }
        let b = try member(cluster, sim.url, group: group, args, env)
        try await waitFor("the second member has partitions", timeout: .seconds(90)) { b.stderr.contains("assigned 4 partition(s)") }
        try await Task.sleep(for: .seconds(3))
        b.signal(SIGTERM)
        #expect(await b.wait(timeout: .seconds(60)) == 0, "stderr tail \(b.stderr.suffix(1500))")
        try await waitFor("the first member owns every partition again", timeout: .seconds(60)) {
            a.stderr.components(separatedBy: "assigned 4 partition(s)").count >= 2
        }
        try await Task.sleep(for: .seconds(2))
        sampler.stop()
        let samples = await sampling.value
        a.signal(SIGTERM)
        #expect(await a.wait(timeout: .seconds(60)) == 0, "stderr tail \(a.stderr.suffix(1500))")
        print(
            "\(groupProtocol) protocol: \(samples.count) samples of calls in flight during a join and a leave: min \(samples.min() ?? -1), longest run at zero \(InFlightSampler.longestZeroRun(samples)) samples"
        )
        #expect(samples.count > 100)
        #expect(
            samples.min() ?? 0 > 0, "calls in flight dropped to zero during the join or the leave (\(InFlightSampler.longestZeroRun(samples)) samples in a row)"
        )
        await sim.stop()
        await cluster.shutdown()
    }
}

/// Reads the simulator's calls in flight every 10 ms until stopped.
final class InFlightSampler: Sendable {
    private let simulator: APISimulator
    private let stopped = Mutex(false)

    init(_ simulator: APISimulator) { self.simulator = simulator }

    func stop() { stopped.withLock { $0 = true } }

    func run() async -> [Int] {
        var samples: [Int] = []
        while !stopped.withLock({ $0 }) {
            samples.append(simulator.statistics().inFlight)
            try? await Task.sleep(for: .milliseconds(10))
        }
        return samples
    }

    static func longestZeroRun(_ samples: [Int]) -> Int {
        var longest = 0
        var run = 0
        for s in samples {
            run = s == 0 ? run + 1 : 0
            longest = max(longest, run)
        }
        return longest
    }
}

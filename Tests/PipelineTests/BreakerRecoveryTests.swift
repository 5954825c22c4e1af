import CardGenius
import Foundation
import Logging
import ProcessTestSupport
import Simulator
import Testing

@testable import Kafka
@testable import Pipeline

/// The circuit breaker always moves on, and a partition librdkafka stops fetching is
/// restarted by the member: members in this process where the test must reach into them,
/// `cardgenius consume` processes joining, leaving, freezing and dying for the group-wide
/// shapes; the mock cluster over TCP, the simulator over HTTP.
@Suite("Breaker and fetch recovery", .serialized)
struct BreakerRecoveryTests {
    let topics = TestTopics()

    /// A member of `group` as these tests tune it: heartbeats every second, a 3 s drain,
    /// quick retries.
    func makeMember(
        _ cluster: KafkaMockCluster, api: String, group: String,
        consumer tuneConsumer: (inout KafkaConsumerConfiguration) -> Void = { _ in },
        tune: (inout PipelineConfiguration) -> Void = { _ in }
    ) throws -> InProcessMember {
        try InProcessMember(
            cluster, api: api, topics: topics, group: group,
            consumer: { consumer in
                consumer.heartbeatInterval = .seconds(1)
                tuneConsumer(&consumer)
            },
            tune: { config in
                config.drainTimeout = .seconds(3)
                config.retry = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(50), maxDelay: .milliseconds(300))
                tune(&config)
            })
    }

    /// Waits until the group's committed offsets of the input topic add up to `total`.
    func waitForCommits(
        _ cluster: KafkaMockCluster, group: String, partitions: Int32, total: Int,
        timeout: Duration
    ) async throws -> [Int32: Int64] {
        let deadline = ContinuousClock.now + timeout
        var committed: [Int32: Int64] = [:]
        while ContinuousClock.now < deadline {
            committed = try await Harness.committed(cluster.bootstrapServers, group: group, topic: topics.input, partitions: partitions)
            if committed.values.reduce(0, { $0 + max($1, 0) }) == Int64(total) { return committed }
            try await Task.sleep(for: .seconds(2))
        }
        return committed
    }

    @Test(
        "the breaker is open when the member's partitions are revoked and given back: it still turns half-open, probes with a record it owns now, and closes once the API is back"
    )
    func breakerAcrossRebalance() async throws {
        // Every call fails for the first 14 s of the simulator's life.
        let (cluster, sim, users) = try await topics.start(
            partitions: 4, users: 200,
            SimulatorConfiguration(
                top: 2, latencyMilliseconds: 20, latencySigma: 0.1, outageAfter: 0, outageFor: 14))
        let group = Harness.unique("g")
        let tune: (inout PipelineConfiguration) -> Void = {
            $0.breaker.failureThreshold = 3
            $0.breaker.openDuration = .milliseconds(500)
            $0.breaker.maxOpenDuration = .seconds(4)
        }
        let first = try makeMember(cluster, api: sim.url, group: group, tune: tune)
        let firstRun = Task { try await first.pipeline.run() }
        try await waitFor("the first member's breaker opens", timeout: .seconds(30)) { first.pipeline.breaker.trips > 0 }
        // A second member joins while the API is still down: the first gives up every
        // partition (its waiting records with them) and gets half of them back.
        let second = try makeMember(cluster, api: sim.url, group: group, tune: tune)
        let secondRun = Task { try await second.pipeline.run() }
        try await waitFor("both members own partitions", timeout: .seconds(60)) {
            first.pipeline.health.assignedPartitions == 2 && second.pipeline.health.assignedPartitions == 2
        }
        let committed = try await waitForCommits(cluster, group: group, partitions: 4, total: users.count, timeout: .seconds(120))
        #expect(
            committed.values.reduce(0, +) == Int64(users.count),
            "committed offsets reach the end: \(committed); first member's breaker \(first.pipeline.breaker.state), second's \(second.pipeline.breaker.state)")
        #expect(first.pipeline.breaker.state == .closed && second.pipeline.breaker.state == .closed)
        await first.stop(firstRun)
        await second.stop(secondRun)
        let results = RunResults(
            try await Harness.readToEnd(cluster.bootstrapServers, topics: [topics.output, topics.dlq]),
            outputTopic: topics.output)
        #expect(results.userIDsWithResult == Set(users.compactMap(\.key)))
        #expect(results.deadLetters.isEmpty, "an outage dead-letters nothing")
        await sim.stop()
        await cluster.shutdown()
    }

    @Test("a breaker half-open without a transition for longer than its bound no longer excuses the member: partitions with lag are reported stalled")
    func stuckBreakerIsAStall() async throws {
        // 503 for the first 12 s (the breaker opens), then every call hangs past the request
        // time-out: a probe that stays in flight keeps the breaker half-open without moving on.
        let (cluster, sim, _) = try await topics.start(
            partitions: 2, users: 40,
            SimulatorConfiguration(
                top: 2, latencyMilliseconds: 20, latencySigma: 0.1, failHang: 1, hangSeconds: 120, outageAfter: 0, outageFor: 12))
        let member = try makeMember(
            cluster, api: sim.url, group: Harness.unique("g"),
            tune: {
                $0.breaker.failureThreshold = 2
                $0.breaker.openDuration = .milliseconds(200)
                $0.breaker.maxOpenDuration = .milliseconds(400)
                $0.breaker.stuckAfter = .seconds(2)
                $0.stallTimeout = .seconds(3)
            })
        let run = Task { try await member.pipeline.run() }
        try await waitFor("the breaker opens", timeout: .seconds(30)) { member.pipeline.breaker.trips > 0 }
        try await waitFor("the stuck breaker counts as a stall", timeout: .seconds(60)) {
            !member.pipeline.health.stalledPartitions.isEmpty
        }
        let health = member.pipeline.health
        #expect(health.circuit == .halfOpen, "held by a probe in flight: \(health.notReadyReasons)")
        #expect(health.notReadyReasons.contains { $0.hasPrefix("stalled") }, "\(health.notReadyReasons)")
        await member.stop(run)
        await sim.stop()
        await cluster.shutdown()
    }

    @Test("a partition with lag that librdkafka stops fetching (fetch state none) is restarted by the member; its records flow again")
    func fetchRestart() async throws {
        let (cluster, sim, users) = try await topics.start(
            partitions: 4, users: 80,
            SimulatorConfiguration(
                top: 2, latencyMilliseconds: 20, latencySigma: 0.1))
        let group = Harness.unique("g")
        // A first member completes and commits the first 80 records.
        let first = try makeMember(cluster, api: sim.url, group: group)
        let firstRun = Task { try await first.pipeline.run() }
        _ = try await waitForCommits(cluster, group: group, partitions: 4, total: users.count, timeout: .seconds(60))
        await first.stop(firstRun)
        // The next member starts at the committed offsets, with `auto.offset.reset=error`:
        // a Fetch answered OFFSET_OUT_OF_RANGE then leaves each of its partitions in fetch
        // state `none`, where librdkafka never fetches them again by itself — the state a
        // dropped fetch start (librdkafka 2.0.2's race) leaves a partition in.
        let second = try makeMember(
            cluster, api: sim.url, group: group,
            consumer: { $0.autoOffsetReset = .error }, tune: { $0.fetchStallTimeout = .seconds(3) })
        let secondRun = Task { try await second.pipeline.run() }
        try await waitFor("the member owns every partition") { second.pipeline.health.assignedPartitions == 4 }
        try await Task.sleep(for: .seconds(2))
        let offsetOutOfRange = KafkaError.Code(rawValue: 1)  // OFFSET_OUT_OF_RANGE
        cluster.pushRequestErrors(.fetch, [offsetOutOfRange])
        try await Task.sleep(for: .seconds(2))
        let more = (80..<160).map(Harness.user)
        try await Harness.produce(cluster.bootstrapServers, topic: topics.input, records: more)
        let committed = try await waitForCommits(cluster, group: group, partitions: 4, total: 160, timeout: .seconds(60))
        #expect(committed.values.reduce(0, +) == 160, "the new records are fetched and completed: \(committed)")
        #expect(second.pipeline.statistics.snapshot.completed >= 80)
        await second.stop(secondRun)
        let results = RunResults(
            try await Harness.readToEnd(cluster.bootstrapServers, topics: [topics.output, topics.dlq]),
            outputTopic: topics.output)
        #expect(results.userIDsWithResult == Set((users + more).compactMap(\.key)))
        await sim.stop()
        await cluster.shutdown()
    }

    /// The two shapes seen in the field, over 32 partitions with `cardgenius consume`
    /// processes joining, leaving (SIGTERM), freezing (SIGSTOP 9 s) and dying (SIGKILL):
    /// `outage`, the API down for 30 s while the group rebalances; `hangs`, 8 % of calls
    /// hanging past the request time-out (a frozen member's calls all time out at once
    /// when it thaws, in the middle of losing its partitions).
    @Test("the group drains whatever the breaker was doing when partitions moved", arguments: ["outage", "hangs"])
    func chaos(shape: String) async throws {
        let simulator =
            shape == "outage"
            ? SimulatorConfiguration(top: 2, latencyMilliseconds: 40, latencySigma: 0.1, outageAfter: 6, outageFor: 30)
            : SimulatorConfiguration(top: 2, latencyMilliseconds: 40, latencySigma: 0.1, failHang: 0.08, hangSeconds: 30)
        let (cluster, sim, users) = try await topics.start(partitions: 32, users: 1280, simulator)
        let group = Harness.unique("g")
        let args = ["--max-workers", "16", "--rate", "200", "--burst", "20", "--breaker-threshold", "4", "--breaker-open-ms", "500"]
        let env = HardeningTests.fastSession.merging([
            "CARDGENIUS_PROCESSING_DRAIN_TIMEOUT_S": "3", "CARDGENIUS_API_REQUEST_TIMEOUT_S": "2",
            "CARDGENIUS_API_RETRY_BASE_DELAY_MS": "50", "CARDGENIUS_API_RETRY_MAX_DELAY_MS": "300",
        ]) { $1 }
        func member() throws -> ChildProcess {
            try topics.consume(cluster, sim.url, group: group, args, env).child
        }
        var members = [try member(), try member(), try member()]
        try await Task.sleep(for: .seconds(8))
        members[0].signal(SIGTERM)
        members.append(try member())
        try await Task.sleep(for: .seconds(4))
        members[1].signal(SIGSTOP)
        try await Task.sleep(for: .seconds(9))
        members[1].signal(SIGCONT)
        try await Task.sleep(for: .seconds(3))
        members[2].signal(SIGKILL)
        members.append(try member())
        let committed = try await waitForCommits(cluster, group: group, partitions: 32, total: users.count, timeout: .seconds(240))
        let running = members.filter(\.isRunning)
        for m in running { m.signal(SIGTERM) }
        for m in running where await m.waitForExit(timeout: .seconds(30)) == nil { m.kill() }
        #expect(
            committed.values.reduce(0, +) == Int64(users.count),
            "committed offsets reach the end: \(committed.filter { $0.value < 40 }.sorted { $0.key < $1.key })")
        let results = RunResults(
            try await Harness.readToEnd(cluster.bootstrapServers, topics: [topics.output, topics.dlq]),
            outputTopic: topics.output)
        #expect(results.userIDsWithResult == Set(users.compactMap(\.key)), "every record has a result")
        if shape == "outage" { #expect(results.deadLetters.isEmpty, "an outage dead-letters nothing") }
        if committed.values.reduce(0, +) != Int64(users.count) {
            for m in members { print("member stderr tail: \(m.stderr.suffix(3000))") }
        }
        await sim.stop()
        await cluster.shutdown()
    }
}

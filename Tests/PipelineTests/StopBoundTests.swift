import Foundation
import Kafka
import Pipeline
import Simulator
import Testing

/// Stopping a `cardgenius consume` process while the broker misbehaves: it ends within
/// `processing.drain_timeout_s` plus the stated margin, names what it could not commit,
/// and publishes nothing after its final commit.
@Suite("Stopping is bounded", .serialized)
struct StopBoundTests {
    let topics = TestTopics()

    @Test(
        "SIGTERM while the broker is down or answers after a minute: the member exits within drain_timeout_s + the margin, naming what it could not commit",
        arguments: ["down", "rtt"])
    func boundedStop(fault: String) async throws {
        let (cluster, sim, _) = try await topics.start(
            partitions: 4, users: 3000,
            SimulatorConfiguration(top: 2, latencyMilliseconds: 100, latencySigma: 0.1))
        let drain = 3
        let member = try topics.consume(
            cluster, sim.url, group: Harness.unique("g"),
            ["--max-workers", "8", "--rate", "200", "--burst", "20"],
            ["CARDGENIUS_PROCESSING_DRAIN_TIMEOUT_S": "\(drain)"])
        try await waitFor("records flow") { sim.simulator.statistics().count(status: 200) >= 50 }
        // Commits fail from now on while results are still published: completed records
        // pile up uncommitted.
        cluster.pushRequestErrors(.offsetCommit, Array(repeating: .requestTimedOut, count: 100_000))
        let before = sim.simulator.statistics().count(status: 200)
        try await waitFor("records complete while commits fail") { sim.simulator.statistics().count(status: 200) >= before + 50 }
        switch fault {
        case "down": try cluster.setBroker(1, up: false)
        default: try cluster.setRoundTrip(broker: 1, .seconds(60))
        }
        try await Task.sleep(for: .seconds(1))
        member.signal(SIGTERM)
        // The bound is drain_timeout_s + RecommendationPipeline.stopMargin; the wait allows
        // for a loaded machine on top (before the fix the final commit alone waited 60 s,
        // the producer's flush 30 s more).
        let bound = Duration.seconds(drain) + RecommendationPipeline.stopMargin
        let status = await member.wait(timeout: bound + .seconds(10))
        cluster.clearRequestErrors(.offsetCommit)
        if fault == "down" { try cluster.setBroker(1, up: true) } else { try cluster.setRoundTrip(broker: 1, .zero) }
        if status == nil {
            member.child.kill()
            try? member.stderr.write(toFile: NSTemporaryDirectory() + "stop-bound-\(fault).err", atomically: true, encoding: .utf8)
        }
        #expect(
            status != nil,
            "the member was still running \(bound + .seconds(10)) after SIGTERM; stderr \(member.stderrPath), tail: \(member.stderr.suffix(1500))")
        #expect(status == 0, "stderr tail: \(member.stderr.suffix(1500))")
        let line = (member.stderr + member.stdout).split(separator: "\n").first { $0.contains("not committed at shutdown") }
        #expect(line != nil, "no line names what could not be committed; stderr tail: \(member.stderr.suffix(1500))")
        if let line { #expect(line.contains("\(topics.input)"), "the line names the partitions: \(line)") }
        await sim.stop()
        await cluster.shutdown()
    }

    @Test("on SIGTERM, answers that arrive after the drain are not published: every result in Kafka is covered by the final commit")
    func nothingAfterFinalCommit() async throws {
        let (cluster, sim, _) = try await topics.start(
            partitions: 1, users: 300,
            SimulatorConfiguration(top: 2, latencyMilliseconds: 2000, latencySigma: 0.4))
        let group = Harness.unique("g")
        let member = try topics.consume(
            cluster, sim.url, group: group, ["--max-workers", "8", "--rate", "200", "--burst", "20"],
            ["CARDGENIUS_PROCESSING_DRAIN_TIMEOUT_S": "1"])
        try await waitFor("records flow") { sim.simulator.statistics().count(status: 200) >= 16 }
        // Slow round trips: the final commit takes a while, and calls keep answering meanwhile.
        try cluster.setRoundTrip(broker: 1, .seconds(1))
        member.signal(SIGTERM)
        let status = await member.wait(timeout: .seconds(90))
        try cluster.setRoundTrip(broker: 1, .zero)
        if status == nil { member.child.kill() }
        #expect(status == 0, "stderr tail: \(member.stderr.suffix(1500))")
        let reader = try KafkaConsumer(
            configuration: .init(bootstrapServers: cluster.bootstrapServers, groupID: group),
            logger: Harness.logger())
        let committed = try #require(try await reader.committed([KafkaTopicPartition(topic: topics.input, partition: 0)]).first)
        await reader.close()
        #expect(committed.offset > 0)
        let completedAbove = CommitMetadata.decode(committed.metadata, committed: committed.offset)
        let results = RunResults(
            try await Harness.readToEnd(cluster.bootstrapServers, topics: [topics.output, topics.dlq]),
            outputTopic: topics.output)
        let late = results.sources.compactMap { Int64($0.split(separator: ":").last ?? "") }
            .filter { $0 >= committed.offset && !completedAbove.contains($0) }
        #expect(late.isEmpty, "results published after the final commit, for records it does not cover: \(late.sorted()) (committed \(committed.offset))")
        await sim.stop()
        await cluster.shutdown()
    }
}

import Foundation
import Kafka
import Simulator
import Testing

/// Static membership with `cardgenius consume` processes on the dev broker: the setting
/// reaches librdkafka, and a fenced member (what real Kafka does to the older of two
/// members with the same `group.instance.id`; the mock has no static membership, so the
/// broker's answer is injected) stops with a clear error instead of carrying on silently.
@Suite("Static members", .serialized)
struct StaticMemberTests {
    let topics = TestTopics()

    @Test("kafka.group_instance_id from the environment reaches librdkafka; the static member processes every record")
    func staticMemberProcess() async throws {
        let cluster = try Harness.cluster(partitions: 4, topics: (topics.input, topics.output, topics.dlq))
        let sim = try await Harness.simulator(SimulatorConfiguration(latencyMilliseconds: 20, latencySigma: 0.1))
        let users = (0..<100).map(Harness.user)
        try await Harness.produce(cluster.bootstrapServers, topic: topics.input, records: users)
        let m = try topics.consume(
            cluster, sim.url, group: Harness.unique("g"), ["--metrics-port", "0", "--exit-when-idle", "1"],
            ["CARDGENIUS_KAFKA_GROUP_INSTANCE_ID": "cardgenius-5d8f7-x2k4q"])
        #expect(await m.wait(timeout: .seconds(180)) == 0, "stderr: \(m.stderr.suffix(1500))")
        #expect(m.stderr.contains(#"static membership: group.instance.id "cardgenius-5d8f7-x2k4q""#), "stderr: \(m.stderr.suffix(1500))")
        let results = RunResults(
            try await Harness.readAll(
                cluster.bootstrapServers, topics: [topics.output, topics.dlq],
                atLeast: users.count), outputTopic: topics.output)
        #expect(results.userIDsWithResult.count == users.count)
        await sim.stop()
        await cluster.shutdown()
    }

    @Test("a static member fenced by the broker (FENCED_INSTANCE_ID) exits non-zero naming its instance id")
    func fencedMemberStops() async throws {
        let cluster = try Harness.cluster(partitions: 4, topics: (topics.input, topics.output, topics.dlq))
        let sim = try await Harness.simulator(SimulatorConfiguration(latencyMilliseconds: 100, latencySigma: 0.1))
        try await Harness.produce(cluster.bootstrapServers, topic: topics.input, records: (0..<2000).map(Harness.user))
        let port = Scrape.freePort()
        let m = try topics.consume(
            cluster, sim.url, group: Harness.unique("g"), ["--metrics-port", String(port)],
            ["CARDGENIUS_KAFKA_GROUP_INSTANCE_ID": "cardgenius-0"])
        // Working first: in the group (heartbeating) and calls made. A hang guard, not a timing claim.
        var working = false
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline && !working {
            try await Task.sleep(for: .milliseconds(200))
            working = (await Scrape.metrics("http://127.0.0.1:\(port)")?.sum("cardgenius_api_calls_total") ?? 0) > 0
        }
        try #require(working && m.isRunning, "the static member never got to work; stderr: \(m.stderr.suffix(1500))")
        // What the coordinator answers the older member once another one joined with its id.
        cluster.pushRequestErrors(.heartbeat, [.fencedInstanceID])
        let status = await m.wait(timeout: .seconds(180))  // a hang guard
        #expect(status != nil && status != 0, "a fenced member must stop with an error; status \(String(describing: status)); stderr: \(m.stderr.suffix(2000))")
        #expect(
            m.stderr.contains(#"fenced: kafka.group_instance_id "cardgenius-0" is used by another running member"#),
            "stderr: \(m.stderr.suffix(2000))")
        #expect(m.stderr.contains("consumer-fatal"), "the member's error names the fatal consumer error: \(m.stderr.suffix(2000))")
        await sim.stop()
        await cluster.shutdown()
    }
}

import CardGenius
import Foundation
import Logging
import ProcessTestSupport
import Simulator
import Testing

@testable import Kafka
@testable import Pipeline

/// A member in this process (so the test can reach its librdkafka handles) against the mock
/// cluster over TCP and the simulator over HTTP: fatal client errors end it with an error
/// after it committed only what was complete, and a partition held behind its back makes it
/// report a stall.
@Suite("Member faults", .serialized)
struct MemberFaultTests {
    let topics = TestTopics()

    @Test(
        "a fatal producer error ends the member with an error; nothing is committed past a record without its result",
        arguments: ["producer", "consumer"])
    func fatalClientError(which: String) async throws {
        let (cluster, sim, _) = try await topics.start(
            partitions: 4, users: 400,
            SimulatorConfiguration(top: 2, latencyMilliseconds: 100, latencySigma: 0.1))
        let member = try InProcessMember(cluster, api: sim.url, topics: topics)
        let run = Task { try await member.pipeline.run() }
        try await waitFor("some records complete") { member.pipeline.statistics.snapshot.completed >= 40 }
        if which == "producer" {
            member.producer.injectFatalError(reason: "test: fatal idempotence error")
        } else {
            member.consumer.injectFatalError(reason: "test: fenced by another static member")
        }
        let ended = try await withTimeout(.seconds(60)) { await run.result }
        switch ended {
        case .success:
            Issue.record("the member ended without an error after a fatal \(which) error")
        case .failure(let error):
            let failure = try #require(error as? PipelineError, "\(error)")
            #expect(failure.code == (which == "producer" ? .producerFatal : .consumerFatal))
            #expect(!failure.description.contains("\n"))
        }
        #expect(member.pipeline.health.isReady == false)
        await member.close()
        // Every committed offset is backed by results: each record below it has one.
        let results = RunResults(
            try await Harness.readAll(
                cluster.bootstrapServers, topics: [topics.output, topics.dlq],
                atLeast: 1, timeout: .seconds(10)), outputTopic: topics.output)
        let withResult = Set(results.sources)
        let committed = try await Harness.committed(cluster.bootstrapServers, group: member.group, topic: topics.input, partitions: 4)
        for (partition, offset) in committed where offset > 0 {
            for o in 0..<offset {
                #expect(withResult.contains("\(partition):\(o)"), "committed \(partition)@\(offset) but \(partition):\(o) has no result")
            }
        }
        await sim.stop()
        await cluster.shutdown()
    }

    @Test("a partition with lag where nothing completes makes the member report a stall, until it flows again")
    func stall() async throws {
        let (cluster, sim, _) = try await topics.start(
            partitions: 2, users: 0,
            SimulatorConfiguration(top: 2, latencyMilliseconds: 20, latencySigma: 0.1))
        let member = try InProcessMember(cluster, api: sim.url, topics: topics, tune: { $0.stallTimeout = .seconds(3) })
        let run = Task { try await member.pipeline.run() }
        try await waitFor("the member joined") { member.pipeline.health.joined && member.pipeline.health.assignedPartitions == 2 }
        try await waitFor("the member is ready") { member.pipeline.health.isReady }
        // Hold partition 0 behind the member's back, then give it work.
        let held = KafkaTopicPartition(topic: topics.input, partition: 0)
        try await member.consumer.pause([held])
        let users = (0..<40).map(Harness.user)
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: cluster.bootstrapServers), logger: Harness.logger())
        for (i, u) in users.enumerated() {
            _ = try await producer.send(
                KafkaProducerRecord(
                    topic: topics.input, partition: Int32(i % 2), key: Array(u.key!.utf8),
                    value: Array(u.value.utf8)))
        }
        try await waitFor("the stall is reported", timeout: .seconds(30)) { member.pipeline.health.stalledPartitions == [held] }
        let health = member.pipeline.health
        #expect(!health.isReady)
        #expect(health.notReadyReasons.contains { $0.hasPrefix("stalled") && $0.contains(held.description) }, "\(health.notReadyReasons)")
        // Partition 1 kept flowing.
        #expect(member.pipeline.statistics.snapshot.completed >= 20)
        try await member.consumer.resume([held])
        try await waitFor("the stall clears", timeout: .seconds(30)) { member.pipeline.health.stalledPartitions.isEmpty }
        try await waitFor("every record completes") { member.pipeline.statistics.snapshot.completed >= 40 }
        member.pipeline.requestStop(reason: "test over")
        _ = try await run.value
        await member.close()
        await producer.close()
        await sim.stop()
        await cluster.shutdown()
    }
}

/// Waits until `condition` holds (``waitUntil(timeout:interval:_:)``), or throws naming `what`.
func waitFor(_ what: String, timeout: Duration = .seconds(60), _ condition: () -> Bool) async throws {
    guard await waitUntil(timeout: timeout, { condition() }) else { throw TimedOut(what: what) }
}

/// The value of `body`, or a ``TimedOut`` after `timeout`.
func withTimeout<T: Sendable>(_ timeout: Duration, _ body: @escaping @Sendable () async -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { await body() }
        group.addTask {
            try? await Task.sleep(for: timeout)
            return nil
        }
        let first = try await group.next()!
        group.cancelAll()
        guard let value = first else { throw TimedOut(what: "a result within \(timeout)") }
        return value
    }
}

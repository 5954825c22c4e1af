import Foundation
import Simulator
import Testing

@testable import Kafka
@testable import Pipeline

/// A revocation acknowledged while results of the revoked partitions still wait in the
/// producer (the output leader is down): none of them may reach Kafka afterwards, behind
/// the revocation's commit and the next owner's newer results.
@Suite("No stale result after a revocation", .serialized)
struct RevocationPublishTests {
    let topics = TestTopics()

    @Test("results queued behind a down output leader when partitions are revoked never reach Kafka after the revocation's commit")
    func noResultAfterRevocation() async throws {
        let cluster = try KafkaMockCluster(brokers: 2, logger: Harness.logger())
        for t in [topics.input, topics.output, topics.dlq] { try cluster.createTopic(t, partitions: 4) }
        for p in Int32(0)..<4 {
            try cluster.setPartitionLeader(topics.input, partition: p, broker: 1)
            try cluster.setPartitionLeader(topics.output, partition: p, broker: 2)
            try cluster.setPartitionLeader(topics.dlq, partition: p, broker: 2)
        }
        let sim = try await Harness.simulator(SimulatorConfiguration(top: 2, latencyMilliseconds: 100, latencySigma: 0.1))
        try await Harness.produce(cluster.bootstrapServers, topic: topics.input, records: (0..<2000).map(Harness.user))
        let member = try InProcessMember(cluster, api: sim.url, topics: topics, tune: { $0.drainTimeout = .seconds(2) })
        try cluster.setGroupCoordinator(member.group, broker: 1)
        let run = Task { try await member.pipeline.run() }
        try await waitFor("records complete") { member.pipeline.statistics.snapshot.completed >= 50 }

        // The output leader goes down: results queue up in the member's producer.
        try cluster.setBroker(2, up: false)
        try await Task.sleep(for: .seconds(2))
        // A second member joins (it reads nothing and never commits): the member's
        // partitions are revoked while its results wait.
        var otherConfig = KafkaConsumerConfiguration(bootstrapServers: cluster.bootstrapServers, groupID: member.group)
        otherConfig.sessionTimeout = .seconds(6)
        let other = try KafkaConsumer(configuration: otherConfig, logger: Harness.logger())
        let taken = Collected<KafkaTopicPartition>()
        try await other.subscribe(topics: [topics.input])
        let pump = Task {
            for await event in other.events {
                switch event {
                case .assigned(let offsets): taken.append(offsets.map(\.topicPartition))
                case .revoked(let revocation): revocation.acknowledge()
                default: break
                }
            }
        }
        try await waitFor("the other member took partitions", timeout: .seconds(90)) { taken.count > 0 }
        // The output leader comes back: whatever is still queued would be delivered now.
        try cluster.setBroker(2, up: true)
        try await Task.sleep(for: .seconds(5))
        member.pipeline.requestStop(reason: "test over")
        _ = try? await withTimeout(.seconds(60)) { await run.result }
        await member.close()

        // What the revocation committed for the partitions the other member took (it never
        // commits), against what is in the output topic for them.
        let reader = try KafkaConsumer(
            configuration: .init(bootstrapServers: cluster.bootstrapServers, groupID: member.group),
            logger: Harness.logger())
        let committed = try await reader.committed(taken.records)
        await reader.close()
        await other.close()
        _ = await pump.value
        let results = RunResults(
            try await Harness.readToEnd(cluster.bootstrapServers, topics: [topics.output, topics.dlq]),
            outputTopic: topics.output)
        var late: [String] = []
        for c in committed {
            let done = CommitMetadata.decode(c.metadata, committed: c.offset)
            for source in results.sources {
                let parts = source.split(separator: ":")
                guard parts.count == 2, Int32(parts[0]) == c.topicPartition.partition, let offset = Int64(parts[1]) else { continue }
                if offset >= c.offset && !done.contains(offset) { late.append(source) }
            }
        }
        #expect(
            late.isEmpty,
            "results published after the revocation's commit, for records it does not cover: \(late.prefix(20)) (committed \(committed.map { "\($0.topicPartition.partition)@\($0.offset)" }))"
        )
        await sim.stop()
        await cluster.shutdown()
    }

    @Test("results queued behind a down output leader when the assignment is lost are never delivered: each record's result appears once")
    func nothingQueuedSurvivesALoss() async throws {
        let cluster = try KafkaMockCluster(brokers: 2, logger: Harness.logger())
        for t in [topics.input, topics.output, topics.dlq] { try cluster.createTopic(t, partitions: 2) }
        for p in Int32(0)..<2 {
            try cluster.setPartitionLeader(topics.input, partition: p, broker: 1)
            try cluster.setPartitionLeader(topics.output, partition: p, broker: 2)
            try cluster.setPartitionLeader(topics.dlq, partition: p, broker: 2)
        }
        let sim = try await Harness.simulator(SimulatorConfiguration(top: 2, latencyMilliseconds: 100, latencySigma: 0.1))
        let users = (0..<400).map(Harness.user)
        try await Harness.produce(cluster.bootstrapServers, topic: topics.input, records: users)
        let member = try InProcessMember(cluster, api: sim.url, topics: topics, tune: { $0.drainTimeout = .seconds(2) })
        try cluster.setGroupCoordinator(member.group, broker: 1)
        let run = Task { try await member.pipeline.run() }
        try await waitFor("records complete") { member.pipeline.statistics.snapshot.completed >= 30 }
        // The output leader goes down: results queue up; then the coordinator tells the member
        // it is unknown: librdkafka reports the assignment lost, and the member rejoins.
        try cluster.setBroker(2, up: false)
        try await Task.sleep(for: .seconds(2))
        cluster.pushRequestErrors(.heartbeat, [.unknownMemberID])
        try await Task.sleep(for: .seconds(8))
        try cluster.setBroker(2, up: true)
        try await waitFor("every record completes", timeout: .seconds(120)) {
            member.pipeline.statistics.snapshot.completed >= users.count
        }
        member.pipeline.requestStop(reason: "test over")
        _ = try? await withTimeout(.seconds(60)) { await run.result }
        await member.close()
        let results = RunResults(
            try await Harness.readToEnd(cluster.bootstrapServers, topics: [topics.output, topics.dlq]),
            outputTopic: topics.output)
        let counts = Dictionary(results.sources.map { ($0, 1) }, uniquingKeysWith: +)
        let twice = counts.filter { $0.value > 1 }.map(\.key).sorted()
        #expect(twice.isEmpty, "results of the lost generation were delivered after the loss, beside the new generation's: \(twice.prefix(20))")
        await sim.stop()
        await cluster.shutdown()
    }
}

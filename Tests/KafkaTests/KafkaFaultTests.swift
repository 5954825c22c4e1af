import Foundation
import Testing

@testable import Kafka

/// What real clusters do to clients and the mock cluster does only when told: partial
/// commits, refused writes, fatal errors, partitions paused across a rebalance.
@Suite("Kafka faults against the mock cluster", .serialized)
struct KafkaFaultTests {
    @Test("a commit that fails for some partitions reports each partition's outcome")
    func partialCommit() async throws {
        let cluster = try KafkaMockCluster(brokers: 1, logger: testLogger())
        let topic = uniqueName("commit")
        try cluster.createTopic(topic, partitions: 2)
        let consumer = try KafkaConsumer(
            configuration: .init(bootstrapServers: cluster.bootstrapServers, groupID: uniqueName("g")),
            logger: testLogger())
        let good = KafkaPartitionOffset(topic: topic, partition: 0, offset: 7, metadata: "m")
        // The mock answers UNKNOWN_TOPIC_OR_PART for this partition alone.
        let bad = KafkaPartitionOffset(topic: uniqueName("missing"), partition: 0, offset: 3)
        let result = try await consumer.commitEach([good, bad])
        #expect(result.committed.map(\.topicPartition) == [good.topicPartition])
        #expect(result.failed.map(\.offset.topicPartition) == [bad.topicPartition])
        #expect(result.failed.first?.error.code == .unknownTopicOrPartition)
        let read = try await consumer.committed([good.topicPartition])
        #expect(read.first?.offset == 7)
        // commit(_:) throws, naming what was and was not committed.
        do {
            try await consumer.commit([KafkaPartitionOffset(topic: topic, partition: 1, offset: 2), bad])
            Issue.record("a partial commit did not throw")
        } catch let error as KafkaError {
            #expect(error.message.contains("commit failed for \(bad.topicPartition)"), "\(error)")
            #expect(error.message.contains("committed \(topic) [1]") || error.message.contains("committed \(topic)"), "\(error)")
        }
        await consumer.close()
        await cluster.shutdown()
    }

    @Test("a commit refused as a whole throws; pushed errors are used up in order")
    func commitRefused() async throws {
        let cluster = try KafkaMockCluster(brokers: 1, logger: testLogger())
        let topic = uniqueName("commit")
        try cluster.createTopic(topic, partitions: 1)
        let consumer = try KafkaConsumer(
            configuration: .init(bootstrapServers: cluster.bootstrapServers, groupID: uniqueName("g")),
            logger: testLogger())
        _ = try await consumer.committed([KafkaTopicPartition(topic: topic, partition: 0)])  // coordinator known
        cluster.pushRequestErrors(.offsetCommit, [.topicAuthorizationFailed])
        let offset = KafkaPartitionOffset(topic: topic, partition: 0, offset: 5)
        let first = try? await consumer.commitEach([offset])
        #expect(first == nil || first?.failed.count == 1, "the first commit is refused")
        let second = try await consumer.commitEach([offset])
        #expect(second.committed.count == 1)
        await consumer.close()
        await cluster.shutdown()
    }

    @Test("delivery failures are classified: retriable, record rejected, topic refused, fatal")
    func deliveryVerdicts() async throws {
        let cluster = try KafkaMockCluster(brokers: 1, logger: testLogger())
        let topic = uniqueName("out")
        try cluster.createTopic(topic, partitions: 1)
        var config = KafkaProducerConfiguration(bootstrapServers: cluster.bootstrapServers)
        config.properties["message.max.bytes"] = "10000"
        let producer = try KafkaProducer(configuration: config, logger: testLogger())
        // Warm up: metadata and producer id.
        _ = try await producer.send(KafkaProducerRecord(topic: topic, key: nil, value: [1]))

        // Too large for the client's message.max.bytes: rejected before it is sent.
        do {
            _ = try await producer.send(KafkaProducerRecord(topic: topic, key: nil, value: Array(repeating: 7, count: 20_000)))
            Issue.record("an oversized record was accepted")
        } catch let error as KafkaError {
            #expect(error.deliveryVerdict == .recordRejected, "\(error)")
        }

        // A transient refusal is retried inside librdkafka and the record arrives.
        cluster.pushRequestErrors(.produce, [.notEnoughReplicas, .notEnoughReplicas])
        _ = try await producer.send(KafkaProducerRecord(topic: topic, key: nil, value: [2]))

        // Not authorized: refused for good.
        cluster.pushRequestErrors(.produce, [.topicAuthorizationFailed])
        do {
            _ = try await producer.send(KafkaProducerRecord(topic: topic, key: nil, value: [3]))
            Issue.record("a write refused for authorization was reported delivered")
        } catch let error as KafkaError {
            #expect(error.deliveryVerdict == .topicRefused, "\(error)")
            #expect(error.message.contains(topic), "the error names the topic: \(error)")
        }
        #expect(producer.fatalError == nil)

        // A fatal producer error: later sends fail fatally, and the producer says so.
        producer.injectFatalError(reason: "test: fatal idempotence error")
        try await Task.sleep(for: .milliseconds(500))
        #expect(producer.fatalError != nil)
        do {
            _ = try await producer.send(KafkaProducerRecord(topic: topic, key: nil, value: [4]))
            Issue.record("a fatal producer delivered a record")
        } catch let error as KafkaError {
            #expect(error.deliveryVerdict == .fatal, "\(error)")
        }
        await producer.close(timeout: .seconds(2))
        await cluster.shutdown()
    }

    @Test("a partition paused when it was revoked is fetched again when it is assigned back")
    func pauseDoesNotSurviveReassignment() async throws {
        let cluster = try KafkaMockCluster(brokers: 1, logger: testLogger())
        let topic = uniqueName("reassign")
        try cluster.createTopic(topic, partitions: 2)
        let group = uniqueName("g")
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: cluster.bootstrapServers), logger: testLogger())
        var config = KafkaConsumerConfiguration(bootstrapServers: cluster.bootstrapServers, groupID: group)
        config.sessionTimeout = .seconds(6)
        let a = try KafkaConsumer(configuration: config, logger: testLogger())
        let seen = EventBox()
        let pump = Task {
            for await event in a.events {
                switch event {
                case .records(let batch): seen.add(batch)
                case .assigned(let offsets): seen.assigned(offsets.map(\.topicPartition))
                case .revoked(let revocation): revocation.acknowledge()
                default: break
                }
            }
        }
        try await a.subscribe(topics: [topic])
        let p0 = KafkaTopicPartition(topic: topic, partition: 0)
        try await waitUntil("A owns both partitions") { seen.lastAssignment.count == 2 }
        try await a.pause([p0])
        // B joins (every partition is revoked and handed out again), then leaves: A gets
        // everything back, including the partition it had paused.
        let b = try KafkaConsumer(configuration: config, logger: testLogger())
        let bPump = Task { for await event in b.events { if case .revoked(let r) = event { r.acknowledge() } } }
        try await b.subscribe(topics: [topic])
        try await waitUntil("the group rebalanced for B") { seen.assignments >= 2 }
        await b.close()
        _ = await bPump.value
        try await waitUntil("A owns both partitions again") { seen.assignments >= 3 && seen.lastAssignment.count == 2 }
        for i in 0..<10 {
            _ = try await producer.send(KafkaProducerRecord(topic: topic, partition: 0, key: nil, value: [UInt8(i)]))
        }
        try await waitUntil("partition 0's records arrive", timeout: .seconds(20)) { seen.count(partition: 0) >= 10 }
        await a.close()
        _ = await pump.value
        await producer.close()
        await cluster.shutdown()
    }
}

/// Events seen by a test's consumer.
final class EventBox: @unchecked Sendable {
    private let lock = NSLock()
    private var records: [KafkaRecord] = []
    private var assignmentList: [[KafkaTopicPartition]] = []

    func add(_ batch: [KafkaRecord]) { lock.withLock { records += batch } }
    func assigned(_ partitions: [KafkaTopicPartition]) { lock.withLock { assignmentList.append(partitions) } }
    func count(partition: Int32) -> Int { lock.withLock { records.filter { $0.partition == partition }.count } }
    var assignments: Int { lock.withLock { assignmentList.count } }
    var lastAssignment: [KafkaTopicPartition] { lock.withLock { assignmentList.last ?? [] } }
}

/// Polls `condition` every 100 ms until it holds, or throws after `timeout`.
func waitUntil(_ what: String, timeout: Duration = .seconds(60), _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < deadline else { throw TestTimeout(what: what) }
        try await Task.sleep(for: .milliseconds(100))
    }
}

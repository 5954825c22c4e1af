import Foundation
import Kafka
import Testing

@Suite("Manual assignment and timestamp lookups against the mock cluster")
struct KafkaAssignmentTests {
    @Test("assign reads a partition from an explicit offset without joining the group")
    func assignFromOffset() async throws {
        let cluster = try KafkaMockCluster(brokers: 1, logger: testLogger())
        let topic = uniqueName("assign")
        try cluster.createTopic(topic, partitions: 2)
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: cluster.bootstrapServers), logger: testLogger())
        for i in 0..<40 {
            _ = try await producer.send(KafkaProducerRecord(topic: topic, partition: Int32(i % 2), key: nil, value: [UInt8(i)]))
        }
        let group = uniqueName("g")
        let consumer = try KafkaConsumer(
            configuration: .init(bootstrapServers: cluster.bootstrapServers, groupID: group),
            logger: testLogger())
        try await consumer.assign([KafkaPartitionOffset(topic: topic, partition: 1, offset: 15)])
        let records = try await collect(consumer) { $0.count >= 5 }
        #expect(records.allSatisfy { $0.partition == 1 })
        #expect(records.map(\.offset).prefix(5) == [15, 16, 17, 18, 19])
        #expect(records.first?.value == [31], "partition 1 holds the odd values: offset 15 is value 31")
        // Reading by assignment committed nothing for the group.
        let committed = try await consumer.committed([KafkaTopicPartition(topic: topic, partition: 1)])
        #expect(committed.map(\.offset) == [KafkaOffset.invalid])
        await consumer.close()
        await producer.close()
        await cluster.shutdown()
    }

    @Test("offsetsForTimes on the mock cluster answers nothing, so callers must fall back")
    func offsetsForTimesOnMock() async throws {
        let cluster = try KafkaMockCluster(brokers: 1, logger: testLogger())
        let topic = uniqueName("times")
        try cluster.createTopic(topic, partitions: 1)
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: cluster.bootstrapServers), logger: testLogger())
        for i in 0..<5 { _ = try await producer.send(KafkaProducerRecord(topic: topic, key: nil, value: [UInt8(i)])) }
        let consumer = try KafkaConsumer(
            configuration: .init(bootstrapServers: cluster.bootstrapServers, groupID: uniqueName("g")),
            logger: testLogger())
        let tp = KafkaTopicPartition(topic: topic, partition: 0)
        let answer = try await consumer.offsetsForTimes([tp], timestampMs: 0)
        // Real Kafka answers offset 0 here; librdkafka 2.0.2's mock answers -1 (unknown).
        #expect(answer[tp] == nil)
        await consumer.close()
        await producer.close()
        await cluster.shutdown()
    }
}

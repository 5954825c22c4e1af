import Kafka
import Testing

/// `group.instance.id` (static membership) reaches librdkafka, and a static member works
/// against the dev broker (whose mock group coordinator reads the id but ignores it: see
/// the README's table of mock differences).
@Suite("Static membership")
struct StaticMembershipTests {
    @Test("groupInstanceID is librdkafka's group.instance.id; none means a dynamic member")
    func instanceIDReachesLibrdkafka() async throws {
        let cluster = try KafkaMockCluster(brokers: 1, logger: testLogger())
        var config = KafkaConsumerConfiguration(bootstrapServers: cluster.bootstrapServers, groupID: uniqueName("g"))
        let dynamic = try KafkaConsumer(configuration: config, logger: testLogger())
        #expect(dynamic.groupInstanceID == nil)
        await dynamic.close()

        config.groupInstanceID = "cardgenius-7f9c-0"
        let member = try KafkaConsumer(configuration: config, logger: testLogger())
        #expect(member.groupInstanceID == "cardgenius-7f9c-0")
        await member.close()
        await cluster.shutdown()
    }

    @Test("a static member joins the group on the dev broker and receives its records")
    func staticMemberConsumes() async throws {
        let cluster = try KafkaMockCluster(brokers: 1, logger: testLogger())
        let topic = uniqueName("static")
        try cluster.createTopic(topic, partitions: 2)
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: cluster.bootstrapServers), logger: testLogger())
        for i in 0..<20 {
            _ = try await producer.send(KafkaProducerRecord(topic: topic, partition: Int32(i % 2), key: nil, value: [UInt8(i)]))
        }
        var config = KafkaConsumerConfiguration(bootstrapServers: cluster.bootstrapServers, groupID: uniqueName("g"))
        config.groupInstanceID = "member-a"
        let member = try KafkaConsumer(configuration: config, logger: testLogger())
        try await member.subscribe(topics: [topic])
        let records = try await collect(member) { $0.count >= 20 }
        #expect(records.count == 20)
        #expect(Set(try member.assignment().map(\.partition)) == [0, 1])
        await member.close()
        await producer.close()
        await cluster.shutdown()
    }
}

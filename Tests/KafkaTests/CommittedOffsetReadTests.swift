import Foundation
import Testing

@testable import Kafka

/// The committed offsets (and the completed-offset marks in their metadata) read when
/// partitions are assigned: an error is retried, never taken as "nothing committed".
@Suite("Committed offsets on assignment", .serialized)
struct CommittedOffsetReadTests {
    @Test("an OffsetFetch error on assignment is retried; the assignment carries the committed offset and metadata")
    func offsetFetchErrorRetried() async throws {
        let cluster = try KafkaMockCluster(brokers: 1, logger: testLogger())
        let topic = uniqueName("committed")
        try cluster.createTopic(topic, partitions: 1)
        let group = uniqueName("g")
        let tp = KafkaTopicPartition(topic: topic, partition: 0)
        let setter = try KafkaConsumer(
            configuration: .init(bootstrapServers: cluster.bootstrapServers, groupID: group),
            logger: testLogger())
        try await setter.commit([KafkaPartitionOffset(topicPartition: tp, offset: 5, metadata: "completed-marks")])
        await setter.close()

        // The mock answers the next OffsetFetch requests with an error for the request and
        // for each partition (librdkafka itself retries a few of them).
        cluster.pushRequestErrors(.offsetFetch, Array(repeating: .unknownTopicOrPartition, count: 6))
        let consumer = try KafkaConsumer(
            configuration: .init(bootstrapServers: cluster.bootstrapServers, groupID: group),
            logger: testLogger())
        try await consumer.subscribe(topics: [topic])
        let seen: Result<[KafkaPartitionOffset], KafkaError>? = try await withThrowingTaskGroup(
            of: Result<[KafkaPartitionOffset], KafkaError>?.self
        ) { tasks in
            tasks.addTask {
                for await event in consumer.events {
                    if case .assigned(let offsets) = event { return .success(offsets) }
                    if case .error(let error) = event, error.isFatal { return .failure(error) }
                }
                return nil
            }
            tasks.addTask {
                try await Task.sleep(for: .seconds(90))
                return nil
            }
            let first = try await tasks.next()!
            tasks.cancelAll()
            return first
        }
        let offsets = try #require(try seen?.get())
        #expect(offsets.map(\.offset) == [5], "an OffsetFetch error was taken as \"no committed offset\"")
        #expect(offsets.map(\.metadata) == ["completed-marks"])
        await consumer.close()
        await cluster.shutdown()
    }
}

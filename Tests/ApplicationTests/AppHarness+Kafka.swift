import Foundation
import Kafka
import KafkaTestSupport
import ProcessTestSupport
import Testing

/// Reading and seeding the dev broker from a test: what a job published, and a group's commits.
extension AppHarness {
    /// Every record of `topic`, its size taken from the watermarks so "exactly" is checked.
    static func all(_ bootstrap: String, topic: String, timeout: Duration = .seconds(30)) async throws -> [KafkaRecord] {
        let count = try await TopicCount.records(bootstrap, topic: topic)
        guard count > 0 else { return [] }
        let records = try await TopicReader.read(bootstrap, topic: topic, count: Int(count), timeout: timeout)
        #expect(records.count == Int(count), "read \(records.count) of \(count) records of \(topic)")
        return records.sorted { ($0.partition, $0.offset) < ($1.partition, $1.offset) }
    }

    /// Publishes `records` and waits for every acknowledgement.
    static func publish(_ bootstrap: String, _ records: [KafkaProducerRecord]) async throws {
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: bootstrap), logger: logger())
        var failure: (any Error)?
        for result in try await producer.sendBatch(records) {
            if case .failure(let error) = result { failure = error }
        }
        await producer.close()
        if let failure { throw failure }
    }

    /// Commits `offsets` (partition → offset and metadata) for `group` without joining it.
    static func commit(_ bootstrap: String, group: String, topic: String, _ offsets: [Int32: (Int64, String?)]) async throws {
        let consumer = try KafkaConsumer(configuration: .init(bootstrapServers: bootstrap, groupID: group), logger: logger())
        try await consumer.commit(offsets.map { KafkaPartitionOffset(topic: topic, partition: $0.key, offset: $0.value.0, metadata: $0.value.1) })
        await consumer.close()
    }
}

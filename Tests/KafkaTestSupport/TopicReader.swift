import Kafka
import ProcessTestSupport

/// Reads a topic from the beginning in a consumer group of its own, for suites that check what
/// a job published.
package enum TopicReader {
    /// The records of `topic` read until `count` arrived or `timeout` passed (in arrival order).
    package static func read(_ bootstrap: String, topic: String, count: Int, timeout: Duration = .seconds(30)) async throws -> [KafkaRecord] {
        let consumer = try KafkaConsumer(
            configuration: .init(bootstrapServers: bootstrap, groupID: TestLogging.unique("reader")),
            logger: TestLogging.logger("topic-reader"))
        try await consumer.subscribe(topics: [topic])
        let box = Collected<KafkaRecord>()
        let reader = Task {
            for await event in consumer.events {
                switch event {
                case .records(let batch): box.append(batch)
                case .revoked(let revocation): revocation.acknowledge()
                default: break
                }
            }
        }
        await waitUntil(timeout: timeout) { box.count >= count }
        await consumer.close()
        _ = await reader.value
        return box.records
    }
}

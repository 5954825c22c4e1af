import Kafka
import ProcessTestSupport

/// How many records a topic holds, for suites that publish and then check what landed.
package enum TopicCount {
    /// The sum of `topic`'s high watermarks (every record ever written; the tests never delete).
    package static func records(_ bootstrap: String, topic: String) async throws -> Int64 {
        let consumer = try KafkaConsumer(
            configuration: .init(bootstrapServers: bootstrap, groupID: TestLogging.unique("count")),
            logger: TestLogging.logger("topic-count"))
        do {
            var total: Int64 = 0
            for p in 0..<(try await consumer.partitionCount(topic: topic)) {
                total += try await consumer.watermarks(KafkaTopicPartition(topic: topic, partition: Int32(p))).high
            }
            await consumer.close()
            return total
        } catch {
            await consumer.close()
            throw error
        }
    }
}

import Kafka
import Logging

/// Reads and commits a consumer group's offsets without joining the group (no member,
/// no rebalance): how `redrive` keeps its progress on the dead-letter topic.
public struct GroupOffsets: Sendable {
    public var bootstrapServers: String
    public var properties: [String: String]
    private let logger: Logger

    public init(bootstrapServers: String, properties: [String: String] = [:], logger: Logger) {
        self.bootstrapServers = bootstrapServers
        self.properties = properties
        self.logger = logger
    }

    /// The committed offset (the next record to read) of each partition that has one.
    public func committed(group: String, partitions: [KafkaTopicPartition]) async throws -> [KafkaTopicPartition: Int64] {
        guard !partitions.isEmpty else { return [:] }
        let consumer = try makeConsumer(group)
        do {
            let list = try await consumer.committed(partitions)
            await consumer.close()
            var out: [KafkaTopicPartition: Int64] = [:]
            for o in list where o.offset >= 0 { out[o.topicPartition] = o.offset }
            return out
        } catch {
            await consumer.close()
            throw OperationError(.offsets, "cannot read the committed offsets of group \(group): \(error)")
        }
    }

    /// Commits `offsets` for `group`. The group must have no active member.
    public func commit(group: String, offsets: [KafkaPartitionOffset]) async throws {
        guard !offsets.isEmpty else { return }
        let consumer = try makeConsumer(group)
        do {
            try await consumer.commit(offsets)
            await consumer.close()
        } catch {
            await consumer.close()
            throw OperationError(.offsets, "cannot commit the offsets of group \(group): \(error)")
        }
    }

    private func makeConsumer(_ group: String) throws -> KafkaConsumer {
        var configuration = KafkaConsumerConfiguration(bootstrapServers: bootstrapServers, groupID: group)
        configuration.properties = properties
        return try KafkaConsumer(configuration: configuration, logger: logger)
    }
}

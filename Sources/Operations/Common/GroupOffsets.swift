import Kafka
import Logging

/// A group's committed offsets, read and written without joining the group: a consumer with
/// the group's id that never subscribes. Reading (OffsetFetch) needs no membership and is
/// safe while the group's members work (`status`, `replay --watch`); committing this way
/// is for groups that never have members (`redrive`'s progress groups) — `replay` commits
/// as the group's sole member instead (see ``SoleGroupMember``).
package final class GroupOffsets: Sendable {
    private let consumer: KafkaConsumer
    /// The group whose offsets are read.
    package let groupID: String

    package init(_ access: KafkaAccess, groupID: String) throws {
        self.consumer = try access.consumer(groupID: groupID) { $0.clientID = "cardgenius-offsets" }
        self.groupID = groupID
    }

    /// The committed offset and metadata of each partition; partitions with nothing
    /// committed are left out.
    package func committed(_ partitions: [KafkaTopicPartition], timeout: Duration = .seconds(10)) async throws -> [KafkaTopicPartition: KafkaPartitionOffset] {
        guard !partitions.isEmpty else { return [:] }
        var result: [KafkaTopicPartition: KafkaPartitionOffset] = [:]
        for offset in try await consumer.committed(partitions, timeout: timeout) where offset.offset >= 0 {
            result[offset.topicPartition] = offset
        }
        return result
    }

    /// Commits `offsets` (each the next record to read) for the group, without metadata.
    /// Fails on the mock cluster for a group that has had members.
    package func commit(_ offsets: [KafkaPartitionOffset]) async throws {
        guard !offsets.isEmpty else { return }
        try await consumer.commit(offsets)
    }

    /// The brokers' answer to a timestamp query (ListOffsets); partitions the broker does
    /// not answer for are left out.
    package func offsetsForTimes(_ partitions: [KafkaTopicPartition], timestampMs: Int64) async throws -> [KafkaTopicPartition: Int64] {
        try await consumer.offsetsForTimes(partitions, timestampMs: timestampMs)
    }

    /// Throws ``KafkaError/Code/unknownTopicOrPartition`` when `topic` does not exist, without
    /// creating it (the partition lookups of ``TopicScanner`` would on auto-creating brokers).
    package func requireTopic(_ topic: String) async throws {
        guard try await consumer.topicPartitionCounts()[topic] != nil else {
            throw KafkaError(code: .unknownTopicOrPartition, message: "topic \(topic) does not exist")
        }
    }

    /// Every topic's partition count, from the full topic list (asking never creates a topic).
    package func partitionCounts() async throws -> [String: Int] {
        try await consumer.topicPartitionCounts()
    }

    /// Releases the consumer.
    package func close() async {
        await consumer.close()
    }
}

import Kafka
import Logging
import Settings

/// Keeps operator commands that join a group and commit (`export --group`,
/// `tail --group --commit`) away from the pipeline's own offsets: committing as the
/// pipeline's group, or as any group with committed offsets on the input topic, would
/// mark input records done that no member processed.
package struct PipelineGroupGuard: Sendable {
    let access: KafkaAccess
    /// The pipeline's consumer group (`kafka.group_id`).
    let pipelineGroup: String
    /// The pipeline's input topic (`kafka.input_topic`).
    let inputTopic: String

    package init(_ access: KafkaAccess, pipelineGroup: String, inputTopic: String) {
        self.access = access
        self.pipelineGroup = pipelineGroup
        self.inputTopic = inputTopic
    }

    /// The guard for the pipeline the service settings describe.
    package init(_ settings: ServiceSettings, logger: Logger) {
        self.init(KafkaAccess(settings, logger: logger), pipelineGroup: settings.kafka.groupID, inputTopic: settings.kafka.inputTopic)
    }

    /// Throws a refusal (``OperationError/Code/pipelineGroup``, exit status 2) when
    /// `command` may not commit as `group`.
    package func check(_ group: String, command: String) async throws {
        let advice =
            "use a group of its own (for example --group \(command.split(separator: " ").first ?? "tool")-\(pipelineGroup)); to move the pipeline's offsets use `cardgenius replay --group \(group)`"
        if group == pipelineGroup {
            throw OperationError(
                .pipelineGroup,
                "\(command) --group \(group): that is the pipeline's consumer group (kafka.group_id); committing as it would skip input records no member processed: \(advice)"
            )
        }
        let offsets = try GroupOffsets(access, groupID: group)
        let committed: [KafkaTopicPartition: KafkaPartitionOffset]
        do {
            let count = try await offsets.partitionCounts()[inputTopic] ?? 0
            let partitions = (0..<Int32(count)).map { KafkaTopicPartition(topic: inputTopic, partition: $0) }
            committed = try await offsets.committed(partitions)
            await offsets.close()
        } catch {
            await offsets.close()
            throw error
        }
        if !committed.isEmpty {
            throw OperationError(
                .pipelineGroup,
                "\(command) --group \(group): that group has committed offsets on the input topic \(inputTopic) (\(committed.count) partition(s)), so it is a pipeline group; committing as it would skip input records no member processed: \(advice)"
            )
        }
    }
}

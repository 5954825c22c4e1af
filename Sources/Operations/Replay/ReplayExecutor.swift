import Kafka
import Logging

/// Carries out `cardgenius replay`: plans the reset, checks that the group is idle, commits
/// the targets as the group's sole member and verifies them.
package struct ReplayExecutor: Sendable {
    /// Where Kafka is, and the logger for the clients this creates.
    package var access: KafkaAccess
    package var topic: String
    package var groupID: String
    /// How long joining the group may take (a dead member's session must expire first).
    package var joinTimeout: Duration = .seconds(60)
    /// How long DescribeConsumerGroups may take.
    package var describeTimeout: Duration = .seconds(3)
    private var logger: Logger { access.logger }

    package init(_ access: KafkaAccess, topic: String, groupID: String) {
        self.access = access
        self.topic = topic
        self.groupID = groupID
    }

    var scanner: TopicScanner { TopicScanner(access) }

    /// Reads watermarks and committed offsets, resolves a timestamp, and computes the plan.
    package func plan(target: ReplayTarget, partitions selected: Set<Int32>) async throws -> ReplayPlan {
        let reader = try GroupOffsets(access, groupID: groupID)
        let ranges: [PartitionRange]
        do {
            try await reader.requireTopic(topic)
            ranges = try await scanner.partitions(of: topic)
        } catch {
            await reader.close()
            throw error
        }
        let known = Set(ranges.map(\.topicPartition.partition))
        if let missing = selected.subtracting(known).sorted().first {
            await reader.close()
            throw OperationError(.unknownPartition, "--partition \(missing): topic \(topic) has partitions 0...\(max(0, known.count - 1))")
        }
        let chosen = ranges.filter { selected.isEmpty || selected.contains($0.topicPartition.partition) }
        do {
            let committed = try await reader.committed(ranges.map(\.topicPartition))
            var resolved: [KafkaTopicPartition: (offset: Int64, method: String)] = [:]
            if case .timestamp(let ms) = target {
                resolved = try await TimestampResolver(scanner: scanner, logger: logger).resolve(ms, ranges: chosen, reader: reader)
            }
            await reader.close()
            return try ReplayPlan.compute(
                topic: topic, groupID: groupID, target: target, ranges: ranges,
                committed: committed, selected: selected, resolved: resolved)
        } catch {
            await reader.close()
            throw error
        }
    }

    /// DescribeConsumerGroups, where the broker answers it.
    package func describe() async -> GroupDescriber.Outcome {
        await GroupDescriber(access)
            .describe(groupID, timeout: describeTimeout)
    }

    /// What the reset did.
    package struct Applied: Sendable {
        /// The group's committed offsets read back after leaving, for the plan's partitions.
        package var verified: [KafkaTopicPartition: KafkaPartitionOffset]
        /// Partitions whose read-back offset differs from the target, or still carries metadata.
        package var mismatches: [String]
    }

    /// Joins the group; if this member is alone, commits the plan's targets (empty
    /// metadata) for the selected partitions only, leaves, and reads the offsets back.
    /// Throws an ``OperationError`` refusal (``OperationError/Code/activeMembers``) when others are active (nothing is committed then).
    package func apply(_ plan: ReplayPlan) async throws -> Applied {
        let partitionCount = plan.partitions.count + plan.untouched.count
        let member = try SoleGroupMember(access, groupID: groupID)
        var outcome: SoleGroupMember.JoinOutcome
        do {
            outcome = try await member.join(topic: topic, partitions: partitionCount, timeout: joinTimeout)
            if outcome == .sole {
                outcome = try await member.commit(plan.commits, topic: topic, partitions: partitionCount)
            }
        } catch {
            await member.leave()
            throw error
        }
        await member.leave()
        if case .othersActive(let evidence) = outcome {
            throw OperationError.activeMembers(group: groupID, evidence: evidence)
        }
        let verified = try await committedOffsets(plan.partitions.map(\.topicPartition))
        var mismatches: [String] = []
        for p in plan.partitions {
            let got = verified[p.topicPartition]
            if got?.offset != p.target {
                mismatches.append("\(p.topicPartition): committed \(got.map { String($0.offset) } ?? "none"), expected \(p.target)")
            } else if let meta = got?.metadata, !meta.isEmpty {
                mismatches.append("\(p.topicPartition): metadata \"\(meta)\" was not cleared")
            }
        }
        return Applied(verified: verified, mismatches: mismatches)
    }

    /// The group's committed offsets, read by a fresh consumer that does not join.
    package func committedOffsets(_ partitions: [KafkaTopicPartition]) async throws -> [KafkaTopicPartition: KafkaPartitionOffset] {
        let reader = try GroupOffsets(access, groupID: groupID)
        do {
            let result = try await reader.committed(partitions)
            await reader.close()
            return result
        } catch {
            await reader.close()
            throw error
        }
    }
}

import Kafka

/// What `cardgenius replay` will do to each partition: where the group is, where it goes,
/// and how many records that reprocesses or skips. Pure: computed from watermarks,
/// committed offsets and (for timestamps) the resolved offsets.
package struct ReplayPlan: Sendable, Hashable {
    /// How a requested offset was brought into the partition's readable range.
    package enum Clamp: String, Sendable, Hashable {
        case none
        /// Below the low watermark (records already deleted): moved up to it.
        case toLow = "low"
        /// Past the high watermark: moved down to it.
        case toHigh = "high"
    }

    /// One partition's line.
    package struct Partition: Sendable, Hashable {
        package var topicPartition: KafkaTopicPartition
        /// The group's committed offset, nil when nothing was committed.
        package var committed: Int64?
        /// The commit metadata stored with it (the pipeline's `cg1:` completed offsets).
        package var committedMetadata: String?
        /// The low and high watermarks when the plan was made.
        package var low: Int64
        package var high: Int64
        /// The offset asked for, before clamping.
        package var requested: Int64
        /// The offset that will be committed.
        package var target: Int64
        package var clamp: Clamp
        /// How a timestamp was resolved for this partition (nil for other targets).
        package var method: String?

        /// Where the group would start reading now: its committed offset, else the low
        /// watermark (the pipeline's `auto.offset.reset` is `earliest`).
        package var current: Int64 { committed.map { min(max($0, low), high) } ?? low }
        /// Records read again (moving back).
        package var reprocess: Int64 { max(0, current - target) }
        /// Records never read (moving forward).
        package var skip: Int64 { max(0, target - current) }
    }

    package var topic: String
    package var groupID: String
    package var target: ReplayTarget
    /// The selected partitions, in partition order.
    package var partitions: [Partition]
    /// Partitions of the topic left alone (not selected by `--partition`).
    package var untouched: [KafkaTopicPartition]

    package var totalReprocess: Int64 { partitions.map(\.reprocess).reduce(0, +) }
    package var totalSkip: Int64 { partitions.map(\.skip).reduce(0, +) }

    /// Computes the plan.
    ///
    /// - Parameters:
    ///   - ranges: every partition of the topic with its watermarks.
    ///   - committed: the group's committed offsets (negative offsets mean none).
    ///   - selected: partition numbers to reset; nil or empty for all.
    ///   - resolved: for ``ReplayTarget/timestamp(_:)``, each partition's resolved offset and
    ///     how it was found.
    package static func compute(
        topic: String, groupID: String, target: ReplayTarget, ranges: [PartitionRange],
        committed: [KafkaTopicPartition: KafkaPartitionOffset], selected: Set<Int32>? = nil,
        resolved: [KafkaTopicPartition: (offset: Int64, method: String)] = [:]
    ) throws(OperationError) -> ReplayPlan {
        let known = Set(ranges.map(\.topicPartition.partition))
        if let selected, let missing = selected.subtracting(known).sorted().first {
            throw OperationError(
                .unknownPartition,
                "--partition \(missing): topic \(topic) has partitions 0...\(max(0, known.count - 1))")
        }
        let chosen = (selected?.isEmpty ?? true) ? known : selected!
        var rows: [Partition] = []
        var untouched: [KafkaTopicPartition] = []
        for range in ranges.sorted(by: { $0.topicPartition < $1.topicPartition }) {
            let tp = range.topicPartition
            guard chosen.contains(tp.partition) else {
                untouched.append(tp)
                continue
            }
            let c = committed[tp].flatMap { $0.offset >= 0 ? $0 : nil }
            var row = Partition(
                topicPartition: tp, committed: c?.offset, committedMetadata: c?.metadata,
                low: range.low, high: range.high, requested: 0, target: 0, clamp: .none, method: nil)
            switch target {
            case .earliest: row.requested = range.low
            case .latest: row.requested = range.high
            case .offset(let n): row.requested = n
            case .shift(let n):
                let (sum, overflow) = row.current.addingReportingOverflow(n)
                row.requested = overflow ? (n < 0 ? Int64.min : Int64.max) : sum
            case .timestamp:
                guard let answer = resolved[tp] else {
                    throw OperationError(.invalidTarget, "\(tp): the timestamp was not resolved")
                }
                row.requested = answer.offset
                row.method = answer.method
            }
            if row.requested < range.low {
                row.target = range.low
                row.clamp = .toLow
            } else if row.requested > range.high {
                row.target = range.high
                row.clamp = .toHigh
            } else {
                row.target = row.requested
            }
            rows.append(row)
        }
        return ReplayPlan(topic: topic, groupID: groupID, target: target, partitions: rows, untouched: untouched)
    }

    /// The offsets to commit: each selected partition's target with empty metadata, so the
    /// pipeline's completed-offset metadata is dropped and the replay redoes everything.
    package var commits: [KafkaPartitionOffset] {
        partitions.map { KafkaPartitionOffset(topicPartition: $0.topicPartition, offset: $0.target, metadata: nil) }
    }
}

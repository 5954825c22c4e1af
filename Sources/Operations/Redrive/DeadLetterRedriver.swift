import Foundation
import Kafka
import Logging
import Pipeline

/// Republishes dead letters to the input topic after a fix (`cardgenius redrive`).
///
/// It reads the dead-letter topic outside any group, from the lowest committed offset of
/// the selected classes' groups (see ``RedriveSelection``) to the end the topic had at the
/// start; republishes each selected dead letter not redriven before (``RedriveLineage``),
/// in order, with an idempotent `acks=all` producer; and commits each class's group only up
/// to the records every one of which was acknowledged. A record the broker does not
/// acknowledge stops the redrive: nothing at or after it in its partition is committed.
package struct DeadLetterRedriver: Sendable {
    /// Where Kafka is, and the logger for the clients this creates.
    package var access: KafkaAccess
    private var logger: Logger { access.logger }

    package init(_ access: KafkaAccess) {
        self.access = access
    }

    /// Redrives `selection` from `dlqTopic` to `inputTopic`; with `dryRun`, only counts.
    ///
    /// `shouldStop` is asked after every batch; when it answers true the redrive stops there,
    /// commits what the broker acknowledged (as after a delivery failure) and returns a
    /// summary marked ``RedriveSummary/interrupted``.
    package func redrive(
        from dlqTopic: String, to inputTopic: String, selection: RedriveSelection, dryRun: Bool,
        shouldStop: () -> Bool = { false },
        progress: (RedriveSummary) -> Void
    ) async throws -> RedriveSummary {
        let scanner = TopicScanner(access)
        let ranges: [PartitionRange]
        do {
            ranges = try await scanner.partitions(of: dlqTopic)
        } catch let error as KafkaError where error.code == .unknownTopicOrPartition {
            throw OperationError(.missingTopic, "topic \(dlqTopic) does not exist (--from)")
        }
        var committed: [DeadLetterClass: [KafkaTopicPartition: Int64]] = [:]
        for c in selection.classes {
            committed[c] = try await withGroup(selection.groupID(for: c), "read the committed offsets") { group in
                try await group.committed(ranges.map(\.topicPartition)).mapValues(\.offset)
            }
        }
        let toRead = ranges.map { range -> PartitionRange in
            let starts = selection.classes.map { committed[$0]?[range.topicPartition] ?? range.low }
            return PartitionRange(topicPartition: range.topicPartition, low: max(range.low, starts.min() ?? range.low), high: range.high)
        }

        var summary = RedriveSummary(dryRun: dryRun)
        summary.toRead = Int(toRead.map(\.count).reduce(0, +))
        var done: [KafkaTopicPartition: Int64] = [:]
        var blocked = Set<KafkaTopicPartition>()
        let producer: KafkaProducer?
        if dryRun {
            producer = nil
        } else {
            producer = try access.producer(clientID: "cardgenius-redrive")
        }
        do {
            try await scanner.scan(toRead) { batch in
                var outgoing: [KafkaProducerRecord] = []
                var publishes: [Bool] = []
                for record in batch {
                    summary.read += 1
                    let name = record.headers.string(RecordHeader.errorClass)
                    guard let c = name.flatMap(DeadLetterClass.init(rawValue:)) else {
                        summary.byClass[RedriveSummary.unknownClass, default: .init()].seen += 1
                        summary.byClass[RedriveSummary.unknownClass, default: .init()].skipped += 1
                        if summary.byClass[RedriveSummary.unknownClass]!.seen <= 10 {
                            logger.warning("\(RedriveLineage.origin(of: record)): no known error.class (\(name ?? "missing")); not redriven")
                        }
                        publishes.append(false)
                        continue
                    }
                    summary.byClass[c.rawValue, default: .init()].seen += 1
                    let alreadyDone = record.offset < (committed[c]?[record.topicPartition] ?? Int64.min)
                    if selection.includes(c) && !alreadyDone {
                        outgoing.append(RedriveLineage.republished(record, to: inputTopic))
                        publishes.append(true)
                    } else {
                        summary.byClass[c.rawValue, default: .init()].skipped += 1
                        publishes.append(false)
                    }
                }
                var results: [Result<KafkaDeliveryReport, KafkaError>] = []
                if let producer, !outgoing.isEmpty {
                    results = try await producer.sendBatch(outgoing)
                }
                var next = 0
                for (record, publish) in zip(batch, publishes) {
                    var ok = true
                    if publish {
                        let c = DeadLetterClass(rawValue: record.headers.string(RecordHeader.errorClass) ?? "")!
                        if dryRun {
                            summary.byClass[c.rawValue, default: .init()].redriven += 1
                        } else if case .failure(let error) = results[next] {
                            ok = false
                            summary.failed += 1
                            if summary.firstFailure == nil { summary.firstFailure = "\(RedriveLineage.origin(of: record)): \(error)" }
                        } else {
                            summary.byClass[c.rawValue, default: .init()].redriven += 1
                        }
                        next += 1
                    }
                    if !ok { blocked.insert(record.topicPartition) }
                    if !blocked.contains(record.topicPartition) { done[record.topicPartition] = record.offset + 1 }
                }
                progress(summary)
                if summary.failed > 0 { throw StopRedrive() }
                if shouldStop() {
                    summary.interrupted = true
                    throw StopRedrive()
                }
            }
        } catch is StopRedrive {
            // A delivery failed, or a stop was asked for: commit what came before, then report.
        } catch {
            await producer?.close()
            throw error
        }
        await producer?.close()
        guard !dryRun else { return summary }
        for c in selection.classes {
            let offsets = done.compactMap { tp, offset -> KafkaPartitionOffset? in
                offset > (committed[c]?[tp] ?? Int64.min) ? KafkaPartitionOffset(topicPartition: tp, offset: offset) : nil
            }
            try await withGroup(selection.groupID(for: c), "commit the offsets") { group in
                try await group.commit(offsets.sorted { $0.topicPartition < $1.topicPartition })
            }
        }
        return summary
    }

    /// Runs `body` with the offsets of `groupID`; a failure names the group and what was being done.
    private func withGroup<T: Sendable>(
        _ groupID: String, _ what: String,
        _ body: (GroupOffsets) async throws -> T
    ) async throws -> T {
        let group: GroupOffsets
        do {
            group = try GroupOffsets(access, groupID: groupID)
        } catch {
            throw OperationError(.offsets, "cannot \(what) of group \(groupID): \(error)")
        }
        do {
            let result = try await body(group)
            await group.close()
            return result
        } catch {
            await group.close()
            throw OperationError(.offsets, "cannot \(what) of group \(groupID): \(error)")
        }
    }
}

/// Ends a redrive's scan after a delivery failure.
private struct StopRedrive: Error {}

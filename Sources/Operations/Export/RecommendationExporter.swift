import Foundation
import Kafka
import Logging

/// Reads the output topic for `cardgenius export`: the whole topic up to the end it had at
/// the start (``exportAll(topic:to:shouldStop:progress:)``), or what a consumer group has not exported
/// yet (``exportNew(topic:group:to:idle:shouldStop:progress:)``).
package struct RecommendationExporter: Sendable {
    /// The cluster to read.
    /// Where Kafka is, and the logger for the clients this creates.
    package var access: KafkaAccess
    private var logger: Logger { access.logger }

    package init(_ access: KafkaAccess) {
        self.access = access
    }

    /// Exports every partition of `topic` from its oldest record to the end it had when the
    /// export started. Commits nothing. The caller finishes (renames) the file.
    /// - Returns: the summary and the ranges read (a `low` above 0 means older records are gone).
    /// `shouldStop` is asked after every batch; when it answers true the export ends with an
    /// ``OperationError`` (`interrupted`).
    package func exportAll(
        topic: String, to writer: ExportWriter, shouldStop: () -> Bool = { false },
        progress: (ExportSummary) -> Void
    ) async throws -> [PartitionRange] {
        let scanner = TopicScanner(access)
        let ranges: [PartitionRange]
        do {
            ranges = try await scanner.partitions(of: topic)
        } catch let error as KafkaError where error.code == .unknownTopicOrPartition {
            throw OperationError(.missingTopic, "topic \(topic) does not exist")
        }
        try writer.start()
        try await scanner.scan(ranges) { batch in
            try writer.write(batch)
            progress(writer.summary)
            if shouldStop() { throw OperationError(.interrupted, "interrupted after \(writer.summary.records) records; nothing written") }
        }
        return ranges
    }

    /// Exports what consumer group `group` has not exported yet (from its committed offsets;
    /// the beginning for a new group), until every assigned partition is at its end and
    /// nothing arrived for `idle` (never, when `nil`) or `shouldStop` answers true.
    ///
    /// Then it syncs and finishes the file (renaming `PATH.partial` to `PATH`) and only
    /// after that commits the offsets of the records it read, so a crash at any point
    /// repeats records in the next export and never skips one.
    package func exportNew(
        topic: String, group: String, to writer: ExportWriter, file: ExportFile,
        idle: Duration?, shouldStop: @escaping @Sendable () -> Bool,
        progress: (ExportSummary) -> Void
    ) async throws {
        let consumer = try access.consumer(groupID: group) {
            $0.emitEndOfPartition = true
            $0.autoOffsetReset = .earliest
            $0.clientID = "cardgenius-export"
        }
        // The full topic list: a by-name metadata request would create a missing topic on
        // auto-creating brokers (the mock cluster).
        let count = try? await consumer.topicPartitionCounts()[topic]
        guard let count, count > 0 else {
            await consumer.close()
            throw OperationError(.missingTopic, "topic \(topic) does not exist")
        }
        try await consumer.subscribe(topics: [topic])
        try writer.start()

        var assigned = Set<KafkaTopicPartition>()
        var atEnd = Set<KafkaTopicPartition>()
        var lastActivity = ContinuousClock.now
        var next: [KafkaTopicPartition: Int64] = [:]
        var failure: (any Error)?
        // A tick every 100 ms notices `shouldStop` and the idle end while nothing arrives.
        loop: for await input in consumer.inputs(tickingEvery: .milliseconds(100)) {
            switch input {
            case .event(.records(let records)):
                lastActivity = .now
                do { try writer.write(records) } catch {
                    failure = error
                    break loop
                }
                for r in records {
                    next[r.topicPartition] = r.offset + 1
                    atEnd.remove(r.topicPartition)
                }
                progress(writer.summary)
            case .event(.assigned(let offsets)):
                lastActivity = .now
                assigned.formUnion(offsets.map(\.topicPartition))
                logger.debug("assigned \(offsets)")
            case .event(.revoked(let revocation)):
                // Nothing is committed here: the file is not finished yet. The next owner
                // starts from the last commit, so records repeat rather than go missing.
                assigned.subtract(revocation.partitions)
                atEnd.subtract(revocation.partitions)
                revocation.acknowledge()
            case .event(.endOfPartition(let position)):
                atEnd.insert(position.topicPartition)
            case .event(.error(let error)):
                if error.isFatal {
                    failure = error
                    break loop
                }
                logger.warning("\(error)")
            case .event(.statistics):
                break
            case .tick:
                if shouldStop() { break loop }
                if let idle, !assigned.isEmpty, assigned.isSubset(of: atEnd), ContinuousClock.now - lastActivity >= idle {
                    break loop
                }
            case .end:
                break loop
            }
        }
        if let failure {
            await consumer.close()
            throw failure
        }
        do {
            try file.finish()
            let owned = Set((try? consumer.assignment()) ?? Array(assigned))
            let offsets = next.filter { owned.contains($0.key) }
                .map { KafkaPartitionOffset(topicPartition: $0.key, offset: $0.value) }
            try await consumer.commit(offsets)
        } catch {
            await consumer.close()
            if error is OperationError { throw error }
            throw OperationError(.offsets, "the file is written but group \(group) could not commit: \(error) (the next export repeats these records)")
        }
        await consumer.close()
    }
}

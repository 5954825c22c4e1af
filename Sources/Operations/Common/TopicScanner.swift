import Foundation
import Kafka
import Logging

/// Reads a topic outside any consumer group: whole partitions up to the end they had when
/// the read started, or single records by offset.
///
/// The scanner never joins a group and never commits; it is what `report`, `export
/// --from-beginning`, `redrive` and timestamp replays read with. Each read uses its own
/// short-lived consumer, so a read never sees records fetched for an earlier one.
package struct TopicScanner: Sendable {
    /// The cluster to read.
    /// Where Kafka is, and the logger for the clients this creates.
    package var access: KafkaAccess
    private var logger: Logger { access.logger }

    package init(_ access: KafkaAccess) {
        self.access = access
    }

    /// The partitions of `topic` with their low and high watermarks, in partition order.
    /// Throws ``KafkaError/Code/unknownTopicOrPartition`` for a topic the cluster does not
    /// have, without creating it.
    package func partitions(of topic: String) async throws -> [PartitionRange] {
        let consumer = try makeConsumer()
        do {
            // From the full topic list: asking for one topic's metadata by name would create
            // it on brokers that auto-create topics (librdkafka's mock cluster does).
            guard let count = try await consumer.topicPartitionCounts()[topic], count > 0 else {
                throw KafkaError(code: .unknownTopicOrPartition, message: "topic \(topic) does not exist")
            }
            var ranges: [PartitionRange] = []
            for p in 0..<Int32(count) {
                let tp = KafkaTopicPartition(topic: topic, partition: p)
                let (low, high) = try await consumer.watermarks(tp)
                ranges.append(PartitionRange(topicPartition: tp, low: low, high: high))
            }
            await consumer.close()
            return ranges
        } catch {
            await consumer.close()
            throw error
        }
    }

    /// Reads `ranges` (each from its `low` to just before its `high`), handing records to
    /// `body` in batches, in offset order per partition. Records written after the ranges
    /// were taken are not read. Returns how many records were read.
    @discardableResult
    package func scan(
        _ ranges: [PartitionRange], idleTimeout: Duration = .seconds(30),
        body: ([KafkaRecord]) async throws -> Void
    ) async throws -> Int {
        let pending = ranges.filter { $0.high > $0.low }
        guard !pending.isEmpty else { return 0 }
        let consumer = try makeConsumer()
        do {
            try await consumer.assign(pending.map { KafkaPartitionOffset(topicPartition: $0.topicPartition, offset: $0.low) })
            var remaining = Dictionary(uniqueKeysWithValues: pending.map { ($0.topicPartition, $0.high) })
            var read = 0
            try await readEvents(of: consumer, idleTimeout: idleTimeout, waitingFor: remaining) { event in
                switch event {
                case .records(let records):
                    let wanted = records.filter { r in remaining[r.topicPartition].map { r.offset < $0 } ?? false }
                    if !wanted.isEmpty {
                        read += wanted.count
                        try await body(wanted)
                    }
                    for r in records where remaining[r.topicPartition].map({ r.offset >= $0 - 1 }) ?? false {
                        remaining[r.topicPartition] = nil
                    }
                case .endOfPartition(let position):
                    if let end = remaining[position.topicPartition], position.offset >= end {
                        remaining[position.topicPartition] = nil
                    }
                case .error(let error) where error.isFatal:
                    throw error
                default:
                    break
                }
                return remaining.isEmpty ? nil : remaining
            }
            await consumer.close()
            return read
        } catch {
            await consumer.close()
            throw error
        }
    }

    /// The record at `offset` of `partition`, or the first one after it when that offset
    /// holds no record (a transaction marker, a compacted record); `nil` at or past the
    /// end the partition had when asked.
    package func record(
        in partition: KafkaTopicPartition, at offset: Int64,
        timeout: Duration = .seconds(30)
    ) async throws -> KafkaRecord? {
        let consumer = try makeConsumer()
        do {
            let (low, high) = try await consumer.watermarks(partition)
            let start = max(offset, low)
            guard start < high else {
                await consumer.close()
                return nil
            }
            try await consumer.assign([KafkaPartitionOffset(topicPartition: partition, offset: start)])
            var found: KafkaRecord?
            try await readEvents(of: consumer, idleTimeout: timeout, waitingFor: [partition: high]) { event in
                switch event {
                case .records(let records):
                    if let r = records.first(where: { $0.topicPartition == partition && $0.offset >= start }) {
                        found = r
                        return nil
                    }
                case .endOfPartition(let position) where position.topicPartition == partition:
                    return nil
                case .error(let error) where error.isFatal:
                    throw error
                default:
                    break
                }
                return [partition: high]
            }
            await consumer.close()
            return found
        } catch {
            await consumer.close()
            throw error
        }
    }

    private func makeConsumer() throws -> KafkaConsumer {
        // The group id is required by librdkafka but unused: the scanner assigns
        // partitions itself and never commits.
        try access.consumer(groupID: "cardgenius-scanner") { $0.emitEndOfPartition = true }
    }

    /// Hands `consumer`'s events to `handle` until it answers nil (nothing more to wait for)
    /// or the events end. `handle` answers the ends still awaited: ``ScanTimeout`` names
    /// them when no event arrives for `idleTimeout`.
    private func readEvents(
        of consumer: KafkaConsumer, idleTimeout: Duration,
        waitingFor initial: [KafkaTopicPartition: Int64],
        _ handle: (KafkaConsumerEvent) async throws -> [KafkaTopicPartition: Int64]?
    ) async throws {
        var waitingFor = initial
        var lastEvent = ContinuousClock.now
        // The silence is measured to a tenth of the time-out (at most a second).
        let tick = max(min(idleTimeout / 10, .seconds(1)), .milliseconds(10))
        for await input in consumer.inputs(tickingEvery: tick) {
            switch input {
            case .event(let event):
                lastEvent = .now
                guard let still = try await handle(event) else { return }
                waitingFor = still
            case .tick:
                if ContinuousClock.now - lastEvent >= idleTimeout {
                    throw ScanTimeout(waitingFor: waitingFor, after: idleTimeout)
                }
            case .end:
                return
            }
        }
    }
}

/// A partition's readable offsets: from `low` (the oldest record kept) to `high` (the
/// offset the next record will get).
package struct PartitionRange: Sendable, Hashable, CustomStringConvertible {
    package var topicPartition: KafkaTopicPartition
    package var low: Int64
    package var high: Int64

    package init(topicPartition: KafkaTopicPartition, low: Int64, high: Int64) {
        self.topicPartition = topicPartition
        self.low = low
        self.high = high
    }

    /// How many offsets the range spans.
    package var count: Int64 { max(0, high - low) }
    package var description: String { "\(topicPartition) [\(low), \(high))" }
}

/// A scan that stopped hearing from the broker.
package struct ScanTimeout: Error, CustomStringConvertible {
    package var waitingFor: [KafkaTopicPartition: Int64]
    package var after: Duration
    package var description: String {
        let parts = waitingFor.keys.sorted().map { "\($0) (end \(waitingFor[$0]!))" }.joined(separator: ", ")
        return "no record from the broker for \(after) while reading \(parts)"
    }
}

import Kafka
import Logging

/// Resolves a timestamp to an offset per partition: first with the brokers' ListOffsets
/// (offsets for times), then, for partitions it does not answer, with a binary search over
/// record timestamps read by ``TopicScanner/record(in:at:)``.
package struct TimestampResolver: Sendable {
    package var scanner: TopicScanner
    private let logger: Logger

    package init(scanner: TopicScanner, logger: Logger) {
        self.scanner = scanner
        self.logger = logger
    }

    /// The offset and the method that found it, for each of `ranges`.
    ///
    /// A partition ListOffsets leaves unanswered is searched, because "no answer" means
    /// either that every record is older (real Kafka) or that the broker does not answer
    /// timestamp queries (the mock cluster answers -1); the search tells them apart.
    package func resolve(
        _ timestampMs: Int64, ranges: [PartitionRange],
        reader: GroupOffsets
    ) async throws -> [KafkaTopicPartition: (offset: Int64, method: String)] {
        var answered: [KafkaTopicPartition: Int64] = [:]
        do {
            answered = try await reader.offsetsForTimes(ranges.map(\.topicPartition), timestampMs: timestampMs)
        } catch {
            logger.info("offsets for times failed, searching record timestamps instead: \(error)")
        }
        var result: [KafkaTopicPartition: (offset: Int64, method: String)] = [:]
        var toSearch: [PartitionRange] = []
        for range in ranges {
            if let offset = answered[range.topicPartition] {
                result[range.topicPartition] = (offset, "offsets-for-times")
            } else if range.high <= range.low {
                result[range.topicPartition] = (range.high, "empty partition")
            } else {
                toSearch.append(range)
            }
        }
        let scanner = self.scanner
        try await withThrowingTaskGroup(of: (KafkaTopicPartition, Int64, String).self) { group in
            for range in toSearch {
                group.addTask {
                    let found = try await TimestampSearch.firstOffset(atOrAfter: timestampMs, low: range.low, high: range.high) { offset in
                        try await scanner.record(in: range.topicPartition, at: offset).map {
                            TimestampSearch.Probe(offset: $0.offset, timestampMs: $0.timestampMs)
                        }
                    }
                    let method =
                        found.offset >= range.high
                        ? "binary search, \(found.lookups) lookups: every record is older"
                        : "binary search, \(found.lookups) lookups"
                    return (range.topicPartition, found.offset, method)
                }
            }
            for try await (tp, offset, method) in group { result[tp] = (offset, method) }
        }
        return result
    }
}

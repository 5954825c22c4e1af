import Kafka
import Logging

/// Scans the input, output and dead-letter topics (outside any group, from the oldest
/// retained record to the end each had at the start) and tallies one cohort.
package struct CohortReporter: Sendable {
    /// Where Kafka is, and the logger for the clients this creates.
    package var access: KafkaAccess
    private var logger: Logger { access.logger }

    package init(_ access: KafkaAccess) {
        self.access = access
    }

    /// Tallies `cohort`; `progress` gets (records scanned, records to scan). `shouldStop` is
    /// asked after every batch; when it answers true the report ends with an
    /// ``OperationError`` (`interrupted`) and no tally.
    package func report(
        cohort: String, inputTopic: String, outputTopic: String, dlqTopic: String,
        shouldStop: () -> Bool = { false },
        progress: (Int, Int) -> Void
    ) async throws -> CohortReport {
        let scanner = TopicScanner(access)
        var ranges: [PartitionRange] = []
        var truncated: [String] = []
        for (topic, flag) in [(inputTopic, "--input-topic"), (outputTopic, "--output-topic"), (dlqTopic, "--dlq-topic")] {
            do {
                let topicRanges = try await scanner.partitions(of: topic)
                if topicRanges.contains(where: { $0.low > 0 }) { truncated.append(topic) }
                ranges += topicRanges
            } catch let error as KafkaError where error.code == .unknownTopicOrPartition {
                throw OperationError(.missingTopic, "topic \(topic) does not exist (\(flag))")
            }
        }
        let total = Int(ranges.map(\.count).reduce(0, +))
        var tally = CohortTally(cohort: cohort)
        var scanned = 0
        progress(0, total)
        try await scanner.scan(ranges) { batch in
            for record in batch {
                switch record.topic {
                case inputTopic: tally.addInput(record)
                case outputTopic: tally.addOutput(record)
                default: tally.addDeadLetter(record)
                }
            }
            scanned += batch.count
            progress(scanned, total)
            if shouldStop() { throw OperationError(.interrupted, "interrupted after \(scanned) of \(total) records; no tally") }
        }
        var report = tally.report()
        report.truncatedTopics = truncated
        report.scanned = scanned
        return report
    }
}

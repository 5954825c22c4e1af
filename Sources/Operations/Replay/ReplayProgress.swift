import Kafka

/// Progress of the group through a replay: from each partition's target to the high
/// watermark it had at reset time. Pure; fed with committed offsets read periodically.
package struct ReplayProgress: Sendable {
    /// Where a partition's reprocessing starts and ends.
    package struct Span: Sendable, Hashable {
        package var topicPartition: KafkaTopicPartition
        package var start: Int64
        package var end: Int64
        package init(topicPartition: KafkaTopicPartition, start: Int64, end: Int64) {
            self.topicPartition = topicPartition
            self.start = start
            self.end = end
        }
    }

    /// A reading.
    package struct Snapshot: Sendable, Hashable {
        /// Records done since the reset, over every partition.
        package var done: Int64
        /// Records to redo in all.
        package var total: Int64
        /// Partitions whose committed offset reached its end.
        package var finishedPartitions: Int
        package var partitions: Int
        /// Records per second over the recent readings; nil before two readings.
        package var rate: Double?
        /// Seconds to the end at that rate; nil when unknown.
        package var etaSeconds: Double?
        package var isComplete: Bool { done >= total && finishedPartitions == partitions }
    }

    package let spans: [Span]
    private var samples: [(seconds: Double, done: Int64)] = []
    /// How far back the rate looks.
    package var window: Double = 30

    package init(spans: [Span]) { self.spans = spans }

    /// The spans of a plan: each selected partition from its target to its high watermark.
    package init(plan: ReplayPlan) {
        self.init(spans: plan.partitions.map { Span(topicPartition: $0.topicPartition, start: $0.target, end: max($0.target, $0.high)) })
    }

    /// Records a reading of the committed offsets taken `seconds` after the reset.
    package mutating func update(committed: [KafkaTopicPartition: Int64], at seconds: Double) -> Snapshot {
        var done: Int64 = 0
        var total: Int64 = 0
        var finished = 0
        for span in spans {
            let c = committed[span.topicPartition].map { min(max($0, span.start), span.end) } ?? span.start
            done += c - span.start
            total += span.end - span.start
            if c >= span.end { finished += 1 }
        }
        samples.append((seconds, done))
        let cutoff = seconds - window
        samples.removeAll { $0.seconds < cutoff }
        var rate: Double?
        if let first = samples.first, seconds > first.seconds {
            rate = Double(done - first.done) / (seconds - first.seconds)
        }
        var eta: Double?
        if let rate, rate > 0 { eta = Double(total - done) / rate }
        if done >= total { eta = 0 }
        return Snapshot(done: done, total: total, finishedPartitions: finished, partitions: spans.count, rate: rate, etaSeconds: eta)
    }
}

import Kafka

/// Progress of the group through a replay: from each partition's target to the high
/// watermark it had at reset time. Pure; fed with committed offsets read periodically.
public struct ReplayProgress: Sendable {
    /// Where a partition's reprocessing starts and ends.
    public struct Span: Sendable, Hashable {
        public var topicPartition: KafkaTopicPartition
        public var start: Int64
        public var end: Int64
        public init(topicPartition: KafkaTopicPartition, start: Int64, end: Int64) {
            self.topicPartition = topicPartition
            self.start = start
            self.end = end
        }
    }

    /// A reading.
    public struct Snapshot: Sendable, Hashable {
        /// Records done since the reset, over every partition.
        public var done: Int64
        /// Records to redo in all.
        public var total: Int64
        /// Partitions whose committed offset reached its end.
        public var finishedPartitions: Int
        public var partitions: Int
        /// Records per second over the recent readings; nil before two readings.
        public var rate: Double?
        /// Seconds to the end at that rate; nil when unknown.
        public var etaSeconds: Double?
        public var isComplete: Bool { done >= total && finishedPartitions == partitions }
    }

    public let spans: [Span]
    private var samples: [(seconds: Double, done: Int64)] = []
    /// How far back the rate looks.
    public var window: Double = 30

    public init(spans: [Span]) { self.spans = spans }

    /// The spans of a plan: each selected partition from its target to its high watermark.
    public init(plan: ReplayPlan) {
        self.init(spans: plan.partitions.map { Span(topicPartition: $0.topicPartition, start: $0.target, end: max($0.target, $0.high)) })
    }

    /// Records a reading of the committed offsets taken `seconds` after the reset.
    public mutating func update(committed: [KafkaTopicPartition: Int64], at seconds: Double) -> Snapshot {
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

import Kafka

extension RecommendationPipeline {
    /// How often the member samples its API slots and throughput; lag is measured every
    /// ``lagTicks`` samples.
    static let observeInterval: Duration = .seconds(1)
    static let lagTicks = 2

    /// The member's health and readiness, read-only (for `/readyz`, progress lines and
    /// summaries).
    public var health: PipelineHealth {
        let (joined, owned, stopping) = state.withLock { s in
            (s.joined && !s.rebalancing, s.ownedPartitions.filter { $0.topic == configuration.inputTopic }.count, s.stopping)
        }
        let figures = observer.figures
        return PipelineHealth(joined: joined, assignedPartitions: owned, circuit: breaker.state,
                              brokerSilence: observer.brokerSilence, stopping: stopping,
                              lag: figures.lag, lagSeconds: figures.lagSeconds, throughput: figures.throughput)
    }

    /// Samples the API slots and throughput every second and the consumer lag every other
    /// second, until the member drains.
    func observeLoop() async {
        var tick = 0
        while !state.withLock({ $0.stopping }) {
            let limiter = concurrency.snapshot
            observer.samplePool(inFlight: limiter.inFlight, ceiling: limiter.ceiling)
            let s = statistics.snapshot
            observer.sampleCompleted(s.completed + s.skipped)
            if tick % Self.lagTicks == 0 { await measureLag() }
            observer.readiness(health.isReady)
            tick += 1
            try? await Task.sleep(for: Self.observeInterval)
        }
        observer.readiness(false)
    }

    /// Asks the partitions' leaders for their high watermarks: lag is the high watermark
    /// minus the commit point (every record below it has its result in Kafka). With no
    /// partitions, a metadata query tells whether the broker answers.
    func measureLag() async {
        let owned = state.withLock { s in
            s.partitions.filter { $0.key.topic == configuration.inputTopic }.map { ($0.key, $0.value.tracker.watermark) }
        }
        guard !owned.isEmpty else {
            if (try? await consumer.partitionCount(topic: configuration.inputTopic, timeout: .seconds(2))) != nil {
                observer.brokerAnswered()
            }
            observer.lagMeasured([:])
            return
        }
        var lag: [KafkaTopicPartition: Int64?] = [:]
        for (tp, watermark) in owned {
            // Unanswered: keep the last figure.
            lag[tp] = .some(nil)
            guard !state.withLock({ $0.stopping }),
                  let marks = try? await consumer.watermarks(tp, timeout: .seconds(2)) else { continue }
            observer.brokerAnswered()
            let position = watermark >= 0 ? max(watermark, marks.low) : marks.low
            lag[tp] = max(0, marks.high - position)
        }
        observer.lagMeasured(lag)
    }
}

import Kafka

extension RecommendationPipeline {
    /// How often the member samples its API slots, throughput and readiness.
    static let observeInterval: Duration = .seconds(1)
    /// The least time between two sweeps of watermark queries.
    static let lagInterval: Duration = .seconds(2)

    /// The member's health and readiness, read-only (for `/readyz`, progress lines and
    /// summaries).
    public var health: PipelineHealth {
        let (joined, owned, stopping) = flow.state.withLock { s in
            (s.joined && !s.rebalancing, s.ownedPartitions.filter { $0.topic == configuration.inputTopic }.count, s.stopping)
        }
        let figures = observer.figures
        return PipelineHealth(joined: joined, assignedPartitions: owned, circuit: breaker.state,
                              brokerSilence: observer.brokerSilence, stopping: stopping,
                              lag: figures.lag, lagSeconds: figures.lagSeconds, throughput: figures.throughput,
                              stalledPartitions: observer.stalledPartitions, stallTimeout: configuration.stallTimeout,
                              budgetHold: budgetHold.map { $0.cause == .starved ? "starved: \($0.message)" : $0.message },
                              apiHold: hold.longHoldInForce)
    }

    /// Samples the API slots, throughput and readiness every second, and measures the
    /// consumer lag alongside, until the member drains.
    func observeLoop() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.lagLoop() }
            while !flow.state.withLock({ $0.stopping }) {
                // Calls on the wire, not slots held: a slot waiting for a rate token is
                // not a connection in use.
                observer.samplePool(inFlight: metrics.callsInFlight, ceiling: concurrency.snapshot.ceiling)
                let s = statistics.snapshot
                observer.sampleCompleted(s.completed + s.skipped)
                observer.updateLag(owned: flow.state.withLock { s in
                    guard s.joined && !s.rebalancing else { return nil }
                    var owned: [KafkaTopicPartition: Int64] = [:]
                    for (tp, p) in s.partitions where tp.topic == configuration.inputTopic { owned[tp] = p.tracker.watermark }
                    return owned
                })
                checkStall()
                metrics.apiHold(hold.remaining)
                if let fatal = producer.fatalError {
                    fail(PipelineError(code: .producerFatal, message: "the producer raised a fatal error: \(fatal)"))
                }
                observer.readiness(health.isReady)
                try? await Task.sleep(for: Self.observeInterval)
            }
            observer.readiness(false)
        }
    }

    /// Defence in depth against a member that says ready and does nothing: an owned
    /// partition with lag where nothing completed for ``PipelineConfiguration/stallTimeout``,
    /// while the member is not held by the circuit breaker or a `Retry-After`, makes the
    /// member not ready (with the partitions named), is logged, and shows as
    /// `cardgenius_member_stalled` 1.
    func checkStall() {
        // A member held on purpose (the API, or a zero share it reports itself) is not stalled.
        if breaker.state != .closed || hold.isHolding || budgetHold != nil {
            flow.state.withLock { $0.touchAll() }
        }
        let idle = flow.state.withLock { $0.idleSince(ContinuousClock.now - configuration.stallTimeout) }
        let lag = observer.lagByPartition
        let stalled = idle.filter { (lag[$0] ?? 0) > 0 }
        let before = observer.stalled(stalled)
        if before.isEmpty && !stalled.isEmpty {
            logger.error("member stalled: partitions with lag completed nothing for \(configuration.stallTimeout)",
                         metadata: ["partitions": "\(stalled.map(\.description))"])
        } else if !before.isEmpty && stalled.isEmpty {
            logger.notice("member no longer stalled")
        }
    }

    /// Asks the owned partitions' leaders for their watermarks every ``lagInterval``, over
    /// the producer's connections (the consumer's blocking calls are for commits). The lag
    /// (high watermark minus the commit point, below which every record has its result in
    /// Kafka) follows the commit point every second in between. With no partitions, a
    /// metadata query tells whether the broker answers.
    func lagLoop() async {
        while !flow.state.withLock({ $0.stopping }) {
            let next = ContinuousClock.now + Self.lagInterval
            await refreshPartitionCountIfUnknown()
            await queryWatermarks()
            try? await Task.sleep(until: next)
        }
    }

    /// One sweep: each owned partition's watermarks (an unanswered one keeps its last).
    func queryWatermarks() async {
        let owned = flow.state.withLock { $0.ownedPartitions.filter { $0.topic == configuration.inputTopic } }
        guard !owned.isEmpty else {
            if (try? await consumer.partitionCount(topic: configuration.inputTopic, timeout: .seconds(2))) != nil {
                observer.brokerAnswered()
            }
            return
        }
        let started = ContinuousClock.now
        var answered = 0
        for tp in owned {
            guard !flow.state.withLock({ $0.stopping }),
                  let marks = try? await producer.watermarks(tp, timeout: .seconds(2)) else { continue }
            observer.brokerAnswered()
            observer.watermarks(tp, low: marks.low, high: marks.high)
            answered += 1
        }
        logger.debug("watermarks", metadata: ["answered": "\(answered)/\(owned.count)", "took": "\(ContinuousClock.now - started)"])
    }
}

import Kafka

extension RecommendationPipeline {
    /// How often the member samples its API slots, throughput and readiness.
    static let observeInterval: Duration = .seconds(1)
    /// The least time between two sweeps of watermark queries.
    static let lagInterval: Duration = .seconds(2)

    /// The member's health and readiness, read-only (for `/readyz`, progress lines and
    /// summaries).
    package var health: PipelineHealth {
        let (joined, owned, stopping) = flow.state.withLock { s in
            (s.joined && !s.rebalancing, s.ownedPartitions.filter { $0.topic == configuration.inputTopic }.count, s.stopping)
        }
        let figures = observer.figures
        return PipelineHealth(
            joined: joined, assignedPartitions: owned, circuit: breaker.state,
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
                // The breaker moves on by the clock, not only when a call asks it.
                breaker.tick()
                // Calls on the wire, not slots held: a slot waiting for a rate token is
                // not a connection in use.
                observer.samplePool(inFlight: metrics.callsInFlight, ceiling: concurrency.snapshot.ceiling)
                let s = statistics.snapshot
                observer.sampleCompleted(s.completed + s.skipped)
                observer.updateLag(
                    owned: flow.state.withLock { s in
                        guard s.joined && !s.rebalancing else { return nil }
                        var owned: [KafkaTopicPartition: Int64] = [:]
                        for (tp, p) in s.partitions where tp.topic == configuration.inputTopic { owned[tp] = p.tracker.watermark }
                        return owned
                    })
                checkStall()
                metrics.apiHold(hold.remaining)
                checkFetching()
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
    /// `cardgenius_member_stalled` 1. A breaker that stays open or half-open past
    /// ``CircuitBreaker/Configuration/stuckAfter`` without moving on excuses nothing.
    func checkStall() {
        // A member held on purpose (the API, or a zero share it reports itself) is not
        // stalled; a breaker stuck open or half-open past its bound excuses nothing.
        if (breaker.state != .closed && !breaker.isStuck) || hold.isHolding || budgetHold != nil {
            flow.state.withLock { $0.touchAll() }
        }
        let idle = flow.state.withLock { $0.idleSince(ContinuousClock.now - configuration.stallTimeout) }
        let lag = observer.lagByPartition
        let stalled = idle.filter { (lag[$0] ?? 0) > 0 }
        let before = observer.stalled(stalled)
        if before.isEmpty && !stalled.isEmpty {
            logger.error(
                "member stalled: partitions with lag completed nothing for \(configuration.stallTimeout)",
                metadata: ["partitions": "\(stalled.map(\.description))"])
        } else if !before.isEmpty && stalled.isEmpty {
            logger.notice("member no longer stalled")
        }
    }

    /// Restarts the fetch of owned partitions that should be fetching and deliver nothing
    /// (``PipelineState/notFetching(for:now:highs:)``) for
    /// ``PipelineConfiguration/fetchStallTimeout``: librdkafka 2.0.2 can drop a partition's
    /// fetch start as outdated when a pause or resume lands between its assignment and its
    /// fetch start, and then never fetches it (its fetch state stays `none`), whatever
    /// the member pauses or resumes afterwards. At most once per time-out; a partition
    /// restarted without delivering since waits twice as long each time.
    func checkFetching() {
        let now = ContinuousClock.now
        let highs = observer.highWatermarks
        let request = flow.state.withLock { s -> (stuck: [KafkaPartitionOffset], all: [KafkaPartitionOffset])? in
            let stuck = s.notFetching(for: configuration.fetchStallTimeout, now: now, highs: highs)
                .filter { $0.topicPartition.topic == configuration.inputTopic }
            guard !stuck.isEmpty else { return nil }
            s.touchFetching(restarted: stuck.map(\.topicPartition), now)
            return (stuck, s.fetchPositions)
        }
        guard let request else { return }
        logger.warning(
            "partitions with lag delivered nothing for \(configuration.fetchStallTimeout) while not paused: restarting their fetch",
            metadata: ["partitions": "\(request.stuck.map { "\($0.topicPartition)@\(KafkaOffset.describe($0.offset))" })"])
        metrics.fetchRestarted(request.stuck.count)
        consumer.restartFetch(request.stuck, positions: request.all)
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
                let marks = try? await producer.watermarks(tp, timeout: .seconds(2))
            else { continue }
            observer.brokerAnswered()
            observer.watermarks(tp, low: marks.low, high: marks.high)
            answered += 1
        }
        logger.debug("watermarks", metadata: ["answered": "\(answered)/\(owned.count)", "took": "\(ContinuousClock.now - started)"])
    }
}

import CardGenius
import Kafka
import Logging
import ServiceLifecycle
import Synchronization

/// One member of the recommendation consumer group, as a `Service`.
///
/// It reads user-spend records, calls CardGenius for each within its share of the
/// group's concurrency and rate budgets, publishes each recommendation (or dead letter)
/// and commits, per partition, the offset below which every record's result is durably
/// in Kafka. On graceful shutdown it drains in-flight work (bounded by the drain
/// time-out), commits and leaves the group.
package final class RecommendationPipeline: Service, Sendable {
    let configuration: PipelineConfiguration
    let consumer: KafkaConsumer
    let producer: KafkaProducer
    let client: CardGeniusClient
    let logger: Logger

    let budgets: Mutex<Budgets>
    let wake = WakeSignal()
    let concurrency: AdaptiveConcurrencyLimiter
    let rate: TokenBucket
    let breaker: CircuitBreaker
    let hold = MemberHold()
    /// Counts and latencies of this member.
    package let statistics = PipelineStatistics()
    let metrics: PipelineMetrics
    let observer = PipelineObserver()
    /// The API calls in flight, by input partition (a revocation cancels its partitions').
    let calls = CallRegistry()
    let flow: PartitionFlow
    /// The fault that ends this member, if any (``run()`` throws it after leaving the group).
    let failure = Mutex<PipelineError?>(nil)
    private let stopRequested = StopSignal()
    /// Fired once the shutdown drain is over: records still waiting are cancelled.
    let drained = StopSignal()
    /// Fired once the member has left the group, or stopped waiting for it (the
    /// coordinator does not answer): the read loop ends then, even if the consumer's
    /// stream has not finished.
    let leftGroup = StopSignal()

    /// The group-wide budgets (live-tunable) and this member's current share of them.
    struct Budgets: Sendable {
        var maxWorkers: Int
        var rate: Double
        var burst: Double
        var rateEnabled: Bool
        var totalPartitions = 0
        var share = BudgetShare.zero
        /// Why the member holds its partitions at a zero share (starved, or the partition
        /// count unknown), for the log, `/readyz` and `cardgenius_member_starved`.
        var held: BudgetHold?
    }

    /// Creates a member. It owns none of the clients it is given; close them after
    /// ``run()`` returns.
    package init(
        configuration: PipelineConfiguration, consumer: KafkaConsumer, producer: KafkaProducer,
        client: CardGeniusClient, logger: Logger
    ) {
        self.configuration = configuration
        self.consumer = consumer
        self.producer = producer
        self.client = client
        self.logger = logger
        self.budgets = Mutex(
            Budgets(
                maxWorkers: configuration.maxWorkers, rate: configuration.requestsPerSecond,
                burst: configuration.burst, rateEnabled: configuration.rateLimitEnabled))
        self.concurrency = AdaptiveConcurrencyLimiter(ceiling: 0)
        self.rate = TokenBucket(rate: 0, burst: 1, enabled: configuration.rateLimitEnabled)
        let metrics = PipelineMetrics()
        self.metrics = metrics
        let flow = PartitionFlow(
            state: PipelineState(maxBuffered: configuration.maxBufferedPerPartition),
            consumer: consumer, logger: logger)
        self.flow = flow
        let log = logger
        let wakeRef = self.wake
        self.breaker = CircuitBreaker(
            configuration: configuration.breaker,
            onChange: { transition in
                log.warning(
                    "circuit breaker \(transition.state.rawValue)",
                    metadata: ["breaker": "\(transition.state.rawValue)", "breaker.transition": "\(transition.sequence)"])
                // Reported outside the breaker's lock, transitions may arrive out of order: the
                // state applies only the newest (and the gauge follows it under the same lock).
                let changed = flow.state.withLock { s -> [KafkaTopicPartition]? in
                    guard let changed = s.applyBreaker(transition) else { return nil }
                    metrics.breakerState(transition.state)
                    return changed
                }
                guard let changed else { return }
                flow.apply(changed)
                wakeRef.notify()
            })
    }

    /// Runs until graceful shutdown (SIGTERM/SIGINT through the `ServiceGroup`), or until
    /// the member is idle for ``PipelineConfiguration/exitWhenIdle``.
    ///
    /// - Throws: ``PipelineError`` when a fault the member cannot handle ended it (after it
    ///   committed what was complete and left the group).
    package func run() async throws {
        try await consumer.subscribe(topics: [configuration.inputTopic])
        logger.info(
            "member started",
            metadata: [
                "group": "\(consumer.groupID)", "input": "\(configuration.inputTopic)",
                "budget.workers": "\(configuration.maxWorkers)",
                "budget.rate": "\(configuration.rateLimitEnabled ? String(configuration.requestsPerSecond) : "off")",
            ])
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.commitLoop() }
                group.addTask { await self.dispatchLoop() }
                group.addTask { await self.observeLoop() }
                group.addTask {
                    await self.stopRequested.wait()
                    await self.drainAndClose()
                }
                // The read loop ends when the consumer has closed, after the drain, or when
                // the drain gave up waiting for the close (its time is bounded).
                await withTaskGroup(of: Void.self) { reading in
                    reading.addTask { await self.readLoop() }
                    reading.addTask { await self.leftGroup.wait() }
                    await reading.next()
                    reading.cancelAll()
                }
                _ = self.stopRequested.fire()
                self.wake.notify()
                // The member has left (or given up leaving): the loops end now, without
                // waiting for a broker request in flight (the lag sweep's may outlive its
                // time-out while a leader is down).
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.requestStop(reason: "graceful shutdown")
        }
        logger.info("member stopped", metadata: statistics.summaryMetadata())
        if let failure = failure.withLock({ $0 }) { throw failure }
    }

    /// Ends the member for a fault it cannot handle: one critical log line, then the same
    /// path as a shutdown, without waiting for calls whose results could not be published.
    func fail(_ error: PipelineError) {
        let first = failure.withLock { f -> Bool in
            guard f == nil else { return false }
            f = error
            return true
        }
        guard first else { return }
        logger.critical("\(error)")
        requestStop(reason: "\(error.code)")
        wake.notify()
    }

    /// Asks the member to drain, commit and leave the group.
    package func requestStop(reason: String) {
        guard stopRequested.fire() else { return }
        logger.info("stopping: \(reason)")
    }

    /// What a stop may take beyond `processing.drain_timeout_s`: the final commit when
    /// the drain used the whole budget, leaving the group, and the producer's last flush.
    /// A member told to stop exits within the drain time-out plus this (README, Stopping).
    package static let stopMargin = Duration.seconds(10)
    /// The least time the final commit is given when the drain used the whole budget.
    static let finalCommitMinimum = Duration.seconds(3)
    /// How long, once the producer's queues are purged, the seal waits for the reports of
    /// results already sent to a broker.
    static let purgeGrace = Duration.seconds(2)
    /// What the stop keeps of ``stopMargin`` for the owner's last flush of the producer
    /// (``producerCloseTimeout``) and the process's exit.
    package static let producerCloseTimeout = Duration.seconds(2)

    /// Stops taking records, lets started ones finish (up to the drain time-out), seals the
    /// partitions (no result is handed to the producer after this), commits and closes the
    /// consumer, which ends the read loop. Every step takes its deadline from the drain
    /// budget, so a slow or absent broker never holds the stop up beyond
    /// `drainTimeout + stopMargin`; what could not be committed is named in one log line.
    func drainAndClose() async {
        flow.apply(
            flow.state.withLock { s in
                s.stopping = true
                return s.pauseAll()
            })
        wake.notify()
        // After a fault, results could not be published anyway: do not wait for calls.
        let failing = failure.withLock { $0 != nil }
        let deadline = ContinuousClock.now + (failing ? .zero : configuration.drainTimeout)
        let hardDeadline = deadline + Self.stopMargin - Self.producerCloseTimeout - .seconds(1)
        while ContinuousClock.now < deadline {
            let seen = wake.generation
            if flow.state.withLock({ $0.busyTotal }) == 0 { break }
            await waitForWake(after: seen, until: deadline)
        }
        let (left, waiting) = flow.state.withLock { ($0.busyTotal, $0.active - $0.busyTotal) }
        if left > 0 && !failing { logger.warning("drain time-out: \(left) record(s) still in flight will be redone by the next owner") }
        if waiting > 0 { logger.info("\(waiting) record(s) waiting to retry are left for the next owner") }
        await seal(nil, until: deadline)
        let commitTimeout = min(max(deadline - ContinuousClock.now, Self.finalCommitMinimum), max(hardDeadline - ContinuousClock.now, .zero))
        await commit(only: nil, reason: "shutdown", timeout: commitTimeout)
        let uncommitted = flow.state.withLock { $0.pendingCommits(only: nil) }
        if !uncommitted.isEmpty {
            logger.warning(
                "not committed at shutdown (the next owner redoes these partitions from their last committed offset): \(uncommitted.map { "\($0.topicPartition)@\($0.offset)" }.joined(separator: ", "))"
            )
        }
        _ = drained.fire()
        if await !consumer.close(timeout: max(hardDeadline - ContinuousClock.now, .seconds(1))) {
            logger.warning(
                "the consumer did not leave the group in time (the coordinator does not answer); the group drops this member after session.timeout.ms")
        }
        _ = leftGroup.fire()
    }

    /// Seals `partitions` (all owned ones if nil) for their final commit: from now on no
    /// result of theirs is handed to the producer. Then waits, until `deadline`, for the
    /// results already handed over to get their delivery reports; after it, the records
    /// still in the producer's queues are purged (never delivered late, behind the final
    /// commit or the next owner's newer results) and the reports of those already sent to
    /// a broker are waited for ``purgeGrace`` more.
    func seal(_ partitions: [KafkaTopicPartition]?, until deadline: ContinuousClock.Instant) async {
        flow.state.withLock { $0.seal(partitions) }
        wake.notify()
        var end = deadline
        var purged = false
        while true {
            let seen = wake.generation
            let publishing = flow.state.withLock { $0.publishingCount(partitions) }
            if publishing == 0 { return }
            if ContinuousClock.now >= end {
                if purged {
                    logger.warning("\(publishing) result(s) sent to a broker still await their delivery report; their records are not committed")
                    return
                }
                logger.info("purging the producer's queues: \(publishing) result(s) of sealed partitions await their delivery report")
                producer.purgeQueued()
                purged = true
                end = ContinuousClock.now + Self.purgeGrace
            }
            await waitForWake(after: seen, until: end)
        }
    }

    func waitForWake(after seen: UInt64, until deadline: ContinuousClock.Instant) async {
        await wake.wait(after: seen, until: deadline)
    }

    // MARK: - Reading

    /// Handles the consumer's events in order: records, assignments, revocations.
    func readLoop() async {
        for await event in consumer.events {
            switch event {
            case .records(let records):
                // Parsed here, once, outside the lock: what comes from outside never runs
                // under it, and the user_id orders the user's records.
                let parsed = records.map(InputValidation.parse)
                let orderKeys = zip(records, parsed).map { InputValidation.orderKey($0, parsed: $1) }
                let result = flow.state.withLock { $0.take(records, parsed: parsed, orderKeys: orderKeys) }
                statistics.taken(result.accepted + result.skipped, skipped: result.skipped)
                if result.skipped > 0 { metrics.skipped(result.skipped) }
                for (tp, gap) in result.gaps {
                    logger.warning("offsets \(gap.lowerBound)..<\(gap.upperBound) of \(tp) were never delivered; the commit point passes them")
                }
                flow.apply(result.pause)
                wake.notify()
            case .assigned(let offsets):
                let completed = await completedMarks(offsets)
                flow.state.withLock { $0.assign(offsets, completed: completed) }
                metrics.rebalance()
                await recomputeShare()
                logger.info(
                    "assigned",
                    metadata: [
                        "partitions": "\(offsets.map { "\($0.topicPartition.partition)@\(KafkaOffset.describe($0.offset))" })"
                    ])
                wake.notify()
            case .revoked(let revocation):
                await revoke(revocation)
            case .endOfPartition(let position):
                flow.state.withLock { $0.markEnd(position.topicPartition, offset: position.offset) }
                wake.notify()
            case .error(let error):
                metrics.kafkaError()
                if error.isFatal {
                    fail(PipelineError(code: .consumerFatal, message: "the consumer of group \(consumer.groupID) raised a fatal error: \(error)"))
                }
            case .statistics:
                break
            }
        }
    }

    /// Finishes the revoked partitions' started records (bounded), commits, acknowledges.
    func revoke(_ revocation: KafkaRevocation) async {
        let revoked = revocation.partitions.filter { $0.topic == configuration.inputTopic }
        flow.state.withLock { $0.beginRevoke(revoked) }
        wake.notify()
        // While the member closes, the shutdown drain has already waited and committed, and
        // librdkafka 2.0.2 never answers a commit made from the revocation of a closing
        // consumer.
        let closing = flow.state.withLock { $0.stopping }
        if !revocation.isLost && !closing {
            let deadline = ContinuousClock.now + configuration.drainTimeout
            while ContinuousClock.now < deadline {
                let seen = wake.generation
                if flow.state.withLock({ $0.busyCount(revoked) }) == 0 { break }
                await waitForWake(after: seen, until: deadline)
            }
            // Nothing of these partitions is published after their commit: calls that
            // outlived the drain give their records up, results already handed to the
            // producer are waited for (or purged from its queues).
            await seal(revoked, until: deadline)
            // Calls still running for these partitions count against the budgets the next
            // owner also counts on: cancel them.
            await cancelCalls(revoked)
            // A failed commit is retried a few times (what is not committed here the next
            // owner redoes); one refused because the group is rebalancing will not succeed
            // before this member rejoins (the mock cluster refuses them all). The attempts
            // share what is left of the stop margin, so the revocation is acknowledged
            // before librdkafka's own wait for it ends (drain time-out + 10 s).
            let commitDeadline = max(deadline, ContinuousClock.now) + Self.finalCommitMinimum + .seconds(2)
            var delay = Duration.milliseconds(100)
            while ContinuousClock.now < commitDeadline {
                let timeout = max(commitDeadline - ContinuousClock.now, .milliseconds(100))
                guard await commit(only: revoked, reason: "revoke", timeout: timeout) == .retry else { break }
                try? await Task.sleep(for: min(delay, max(commitDeadline - ContinuousClock.now, .zero)))
                delay = delay * 2
            }
        }
        if revocation.isLost {
            // Lost: another member may own them already. Nothing of theirs waits for a
            // delivery report: what is still queued in the producer is purged at once, and
            // their calls are cancelled.
            await seal(revoked, until: .now)
            await cancelCalls(revoked)
        }
        flow.state.withLock { $0.finishRevoke(revoked) }
        // Pauses and resumes read before finishRevoke run outside the state's lock: let them
        // land before librdkafka unassigns (see PartitionFlow).
        await flow.settle()
        metrics.rebalance()
        logger.info("revoked", metadata: ["partitions": "\(revoked.map(\.partition))", "lost": "\(revocation.isLost)"])
        revocation.acknowledge()
        wake.notify()
        // After the acknowledgement: the metadata request (up to 10 s while the broker is
        // slow or down) never holds the revocation up; while closing there is nothing to share.
        if !closing { await recomputeShare() }
    }

    // MARK: - Budgets

    /// Recomputes this member's share of the group's budgets from the partitions it owns
    /// and the input topic's partition count (asked of the cluster on every rebalance; if
    /// it does not answer, the last count read is kept, and with none the member holds at a
    /// zero share while ``lagLoop()`` asks again).
    func recomputeShare() async {
        let count = try? await consumer.partitionCount(topic: configuration.inputTopic, timeout: Self.partitionCountTimeout)
        applyBudgets { b in
            if let count, count > 0 { b.totalPartitions = count }
        }
    }

    /// Applies a newly read partition count of the input topic.
    func retuneShare(totalPartitions: Int) {
        applyBudgets { $0.totalPartitions = totalPartitions }
    }

    /// Changes the group-wide budgets at run time (SIGHUP / live tuning).
    package func retune(maxWorkers: Int? = nil, requestsPerSecond: Double? = nil, burst: Double? = nil, rateEnabled: Bool? = nil) {
        applyBudgets { b in
            if let maxWorkers { b.maxWorkers = maxWorkers }
            if let requestsPerSecond { b.rate = requestsPerSecond }
            if let burst { b.burst = burst }
            if let rateEnabled { b.rateEnabled = rateEnabled }
        }
    }

    private func applyBudgets(_ change: (inout Budgets) -> Void) {
        let owned = flow.state.withLock { $0.ownedPartitions.filter { $0.topic == configuration.inputTopic }.map(\.partition) }
        let (b, before) = budgets.withLock { b -> (Budgets, BudgetHold?) in
            change(&b)
            // A count below an owned partition's id is stale (partitions were added): unknown.
            let total = owned.contains { Int($0) >= b.totalPartitions } ? 0 : b.totalPartitions
            b.share = BudgetShare(
                maxWorkers: b.maxWorkers, rate: b.rate, burst: b.burst, rateEnabled: b.rateEnabled,
                partitions: owned, total: total)
            let before = b.held
            b.held = BudgetHold(
                share: b.share, owned: owned, maxWorkers: b.maxWorkers, burst: b.burst,
                rateEnabled: b.rateEnabled, topic: configuration.inputTopic)
            return (b, before)
        }
        concurrency.setCeiling(b.share.maxInFlight)
        rate.update(rate: b.share.ratePerSecond, burst: b.share.burst, enabled: b.rateEnabled)
        metrics.share(b.share, rateEnabled: b.rateEnabled)
        logger.info(
            "budget share",
            metadata: [
                "owned": "\(owned.count)/\(b.totalPartitions)", "share": "\(b.share)",
                "group.workers": "\(b.maxWorkers)", "group.rate": "\(b.rateEnabled ? String(b.rate) : "off")",
            ])
        reportHold(b.held, before: before)
        wake.notify()
    }

    /// The group-wide budgets and this member's share.
    package var currentBudgets: (maxWorkers: Int, rate: Double, burst: Double, rateEnabled: Bool, share: BudgetShare) {
        budgets.withLock { ($0.maxWorkers, $0.rate, $0.burst, $0.rateEnabled, $0.share) }
    }

    // MARK: - Committing

    /// Commits the watermarks that moved, periodically; ends the member when idle. A commit
    /// that failed is retried promptly (100 ms, doubling up to the interval), not only at
    /// the next tick, so a broker hiccup does not widen what a crash would redo.
    func commitLoop() async {
        var idleSince: ContinuousClock.Instant?
        var retryDelay = Duration.milliseconds(100)
        var pause = configuration.commitInterval
        while !stopRequested.isFired {
            try? await Task.sleep(for: pause)
            // Once stopping, the shutdown makes the last commit (a periodic one in flight
            // would hold the consumer's blocking queue up from it).
            if stopRequested.isFired { break }
            if await commit(only: nil, reason: "periodic") != .retry {
                pause = configuration.commitInterval
                retryDelay = .milliseconds(100)
            } else {
                pause = min(retryDelay, configuration.commitInterval)
                retryDelay = min(retryDelay * 2, configuration.commitInterval)
            }
            metrics.update(state: flow.state.withLock { ($0.bufferedTotal, $0.active) }, limiter: concurrency.snapshot)
            wake.notify()  // a heartbeat for any waiter
            if let idle = configuration.exitWhenIdle {
                if flow.state.withLock({ $0.isIdleAtEnd }) {
                    let since = idleSince ?? .now
                    idleSince = since
                    if ContinuousClock.now - since >= idle { requestStop(reason: "idle for \(idle)") }
                } else {
                    idleSince = nil
                }
            }
        }
    }

    /// Commits the current watermarks (with completed-offset metadata) of `only` or all
    /// owned partitions, and records what the coordinator accepted, partition by partition.
    /// What is not committed is redone after a crash, never lost.
    @discardableResult
    func commit(only: [KafkaTopicPartition]?, reason: String, timeout: Duration = .seconds(5)) async -> CommitOutcome {
        let offsets = flow.state.withLock { $0.pendingCommits(only: only) }
        guard !offsets.isEmpty else { return .done }
        do {
            let result = try await consumer.commitEach(offsets, timeout: timeout)
            flow.state.withLock { $0.committed(result.committed) }
            metrics.committed(result.committed)
            if !result.committed.isEmpty {
                logger.debug("committed", metadata: ["reason": "\(reason)", "offsets": "\(result.committed)"])
            }
            guard result.failed.isEmpty else {
                metrics.kafkaError()
                let failed = result.failed.map { "\($0.offset.topicPartition): \($0.error.code)" }
                logger.warning(
                    "commit failed for \(result.failed.count) of \(offsets.count) partition(s) (\(reason)), retrying",
                    metadata: ["failed": "\(failed)"])
                return result.failed.allSatisfy({ Self.waitsForRebalance($0.error) }) ? .deferred : .retry
            }
            return .done
        } catch let error as KafkaError where Self.waitsForRebalance(error) {
            logger.info("commit deferred (\(reason)): \(error.code)")
            return .deferred
        } catch {
            metrics.kafkaError()
            logger.warning("commit failed (\(reason)): \(error)")
            return .retry
        }
    }

    /// What became of a commit.
    enum CommitOutcome {
        /// Everything pending was committed (or nothing was).
        case done
        /// Something failed and is worth retrying soon.
        case retry
        /// Refused while the group rebalances: it waits for the next assignment.
        case deferred
    }

    private static func waitsForRebalance(_ error: KafkaError) -> Bool {
        error.code == .rebalanceInProgress || error.code == .illegalGeneration || error.code == .unknownMemberID
    }
}

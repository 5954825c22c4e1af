import CardGenius
import Kafka

extension RecommendationPipeline {
    /// How long a read of the input topic's partition count may take (the read loop waits
    /// for it on every rebalance; an unanswered read keeps the last count).
    static let partitionCountTimeout: Duration = .seconds(2)

    /// Asks for the input topic's partition count again while the member holds at a zero
    /// share for want of it (called every ``lagInterval`` by ``lagLoop()``).
    func refreshPartitionCountIfUnknown() async {
        guard budgets.withLock({ $0.held?.cause == .partitionCountUnknown }) else { return }
        guard let count = try? await consumer.partitionCount(topic: configuration.inputTopic, timeout: Self.partitionCountTimeout),
            count > 0
        else { return }
        retuneShare(totalPartitions: count)
    }

    /// Logs a change of the member's hold (an error line when starved: the cause and the
    /// fix), and sets `cardgenius_member_starved`.
    func reportHold(_ held: BudgetHold?, before: BudgetHold?) {
        metrics.starved(held?.cause == .starved)
        guard held != before else { return }
        if let held {
            if held.cause == .starved { logger.error("\(held.message)") } else { logger.warning("\(held.message)") }
        } else if before != nil {
            logger.notice("budget share restored: \(currentBudgets.share)")
        }
    }

    /// Why the member holds its partitions at a zero share, if it does.
    var budgetHold: BudgetHold? { budgets.withLock { $0.held } }

    /// One API call for `item`, cancelled if its partition is revoked and the revocation's
    /// drain ends first (then nil: the record is given up for the next owner).
    func call(_ request: RecommendationRequest, for item: WorkItem) async -> CallOutcome? {
        let client = self.client
        let task = Task { await client.recommend(request) }
        let tp = item.record.topicPartition
        let id = calls.register(tp) { task.cancel() }
        // A revocation that ended between the slot and the registration has swept already.
        if !flow.state.withLock({ $0.holds(item) }) { calls.cancel(tp, id: id) }
        let outcome = await withTaskCancellationHandler {
            await task.value
        } onCancel: {
            task.cancel()
        }
        return calls.finish(tp, id: id) ? nil : outcome
    }

    /// Cancels the calls still in flight for `partitions` (a revocation's drain is over),
    /// and waits briefly for them to end, so they no longer count against the budgets.
    func cancelCalls(_ partitions: [KafkaTopicPartition]) async {
        let cancelled = calls.cancel(partitions)
        guard cancelled > 0 else { return }
        logger.warning(
            "revocation drain over: cancelled \(cancelled) API call(s) still in flight for the revoked partitions; the next owner redoes their records",
            metadata: ["partitions": "\(partitions.map(\.partition))"])
        let deadline = ContinuousClock.now + .seconds(2)
        while ContinuousClock.now < deadline {
            let seen = wake.generation
            if flow.state.withLock({ $0.busyCount(partitions) }) == 0 { break }
            await waitForWake(after: seen, until: deadline)
        }
    }
}

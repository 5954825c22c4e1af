import CardGenius
import Kafka
import Logging

extension RecommendationPipeline {
    /// Starts records as slots free up: one concurrency slot is taken before a record is
    /// picked, so the number of records started never outruns the budget by more than
    /// those backing off between attempts (themselves bounded).
    func dispatchLoop() async {
        await withDiscardingTaskGroup { group in
            while true {
                let seen = wake.generation
                if flow.state.withLock({ $0.stopping }) {
                    // Started records finish during the drain; those still waiting to
                    // retry after it are given up (they are not committed).
                    await drained.wait()
                    group.cancelAll()
                    return
                }
                // Records backing off hold no slot; bound them too.
                let (active, ceiling) = (flow.state.withLock { $0.active }, concurrency.snapshot.ceiling)
                if active >= max(4 * ceiling, 8) {
                    await wake.wait(after: seen)
                    continue
                }
                let (item, resume) = flow.state.withLock { $0.next() }
                flow.apply(resume)
                guard let item else {
                    await wake.wait(after: seen)
                    continue
                }
                group.addTask { await self.process(item) }
            }
        }
    }

    /// Takes one record to completion: validate, call CardGenius with retries, publish the
    /// result (or a dead letter), then mark it complete for the commit watermark.
    func process(_ item: WorkItem) async {
        let started = ContinuousClock.now
        var outcome = await recommend(item)
        var outputRecord: KafkaProducerRecord
        switch outcome {
        case .abandoned:
            return giveUp(item)
        case .recommended(let recommendation, let user, let attempts, let latency):
            outputRecord = OutputRecord.recommendation(
                recommendation, user: user, source: item.record, attempts: attempts, apiLatency: latency,
                topic: configuration.outputTopic)
            // The record has been busy since its call began. Its result is published only
            // while the same assignment holds the partition: a call that outlived the
            // revocation drain must not overwrite the next owner's newer result for the key.
            guard flow.state.withLock({ $0.holds(item) }) else {
                // Sealed (or gone): the call's busy mark ends here, as after a publish.
                flow.state.withLock { $0.endBusy(item) }
                return giveUp(item)
            }
        case .deadLetter(let errorClass, let message, let attempts):
            outputRecord = OutputRecord.deadLetter(
                item.record, errorClass: errorClass, message: message, attempts: attempts, topic: configuration.deadLetterTopic)
            guard flow.state.withLock({ $0.beginPublish(item) }) else {
                return giveUp(item)
            }
        }
        let answered = ContinuousClock.now
        var published = await publish(outputRecord, for: item)
        if case .rejected(let error) = published, outputRecord.topic == configuration.outputTopic {
            // The output topic refuses this result itself (larger than it accepts): the input
            // goes to the dead-letter topic with the broker's reason instead.
            let message = "the output topic \(configuration.outputTopic) refused the result: \(error.message)"
            outcome = .deadLetter(.outputRejected, message, attempts: outcome.attempts)
            outputRecord = OutputRecord.deadLetter(
                item.record, errorClass: .outputRejected, message: message,
                attempts: outcome.attempts, topic: configuration.deadLetterTopic)
            published = await publish(outputRecord, for: item)
        }
        flow.state.withLock { $0.endBusy(item) }
        switch published {
        case .delivered:
            break
        case .abandoned:
            return giveUp(item)
        case .rejected(let error), .refused(let error):
            fail(PipelineError(code: .topicRefused, message: "\(outputRecord.topic) refuses this member's writes: \(error)"))
            return giveUp(item)
        case .fatal(let error):
            fail(PipelineError(code: .producerFatal, message: "the producer raised a fatal error publishing to \(outputRecord.topic): \(error)"))
            return giveUp(item)
        }
        observer.delivered(after: ContinuousClock.now - answered)
        _ = flow.state.withLock { $0.complete(item) }
        switch outcome {
        case .recommended(_, _, let attempts, _):
            statistics.completed(.ok, attempts: attempts)
            metrics.recordDone(outcome: "ok")
        case .deadLetter(let errorClass, let message, let attempts):
            statistics.completed(.deadLetter(errorClass), attempts: attempts)
            metrics.recordDone(outcome: errorClass.rawValue)
            logger.notice(
                "dead-lettered",
                metadata: [
                    "class": "\(errorClass.rawValue)", "reason": "\(message)",
                    "source": "\(item.record.topicPartition)@\(item.record.offset)",
                ])
        case .abandoned:
            break
        }
        metrics.recordLatency(ContinuousClock.now - started)
        wake.notify()
    }

    /// Gives a started record up without a result (its partition's next owner, or this
    /// member after a restart, redoes it) and wakes the dispatcher.
    func giveUp(_ item: WorkItem) {
        flow.state.withLock { $0.abandon(item) }
        wake.notify()
    }

    enum RecordOutcome: Sendable {
        case recommended(Recommendation, UserSpendRecord, attempts: Int, latency: Duration)
        case deadLetter(DeadLetterClass, String, attempts: Int)
        case abandoned

        /// API calls made for the record.
        var attempts: Int {
            switch self {
            case .recommended(_, _, let attempts, _), .deadLetter(_, _, let attempts): return attempts
            case .abandoned: return 0
            }
        }
    }

    /// Validates a record and calls CardGenius until it succeeds, is rejected, or runs out
    /// of attempts while the API is healthy. Attempts that fail while the circuit breaker
    /// trips (the API is down) do not count: an outage never dead-letters records.
    func recommend(_ item: WorkItem) async -> RecordOutcome {
        let user: UserSpendRecord
        switch InputValidation.validate(item.record, parsed: item.parsed ?? InputValidation.parse(item.record)) {
        case .success(let u): user = u
        case .failure(let error): return .deadLetter(.invalidRecord, error.description, attempts: 0)
        }
        let request = RecommendationRequest(spends: user.spends.amounts)
        var counted = 0
        var calls = 0
        var tripsAtStart = breaker.trips
        var rng = SystemRandomNumberGenerator()
        while true {
            // Between attempts, a revoked partition or a shutdown gives the record up: the
            // next owner (or the restarted member) redoes it.
            let (current, stopping) = flow.state.withLock { ($0.isCurrent(item), $0.stopping) }
            guard current, !(stopping && calls > 0) else { return .abandoned }
            let permit: CircuitBreaker.Permit
            do {
                permit = try await breaker.permit()
            } catch {
                return .abandoned
            }
            do {
                try await hold.wait()
                try await concurrency.acquire()
            } catch {
                breaker.record(.neutral, permit: permit)
                return .abandoned
            }
            do {
                try await rate.acquire()
            } catch {
                concurrency.release(.neutral)
                breaker.record(.neutral, permit: permit)
                return .abandoned
            }
            guard flow.state.withLock({ $0.beginBusy(item) }) else {
                concurrency.release(.neutral)
                breaker.record(.neutral, permit: permit)
                return .abandoned
            }
            metrics.callStarted()
            guard let outcome = await call(request, for: item) else {
                // Cancelled at the end of its partition's revocation drain.
                flow.state.withLock { $0.endBusy(item) }
                metrics.callCancelled()
                concurrency.release(.neutral)
                breaker.record(.neutral, permit: permit)
                return .abandoned
            }
            if outcome.kind != .success { flow.state.withLock { $0.endBusy(item) } }
            calls += 1
            metrics.callFinished(outcome)
            statistics.call(latency: outcome.latency, ok: outcome.kind == .success)
            concurrency.release(outcome.kind == .success ? .success : outcome.isOverloadSignal ? .overload : .neutral)
            switch outcome.kind {
            case .success:
                breaker.record(.healthy, permit: permit)
                guard let recommendation = outcome.recommendation else { return .abandoned }
                return .recommended(recommendation, user, attempts: calls, latency: outcome.latency)
            case .permanent:
                breaker.record(.healthy, permit: permit)
                return .deadLetter(.apiRejected, outcome.failure?.description ?? "rejected", attempts: calls)
            case .retriable:
                breaker.record(.failure, permit: permit)
                if let retryAfter = outcome.retryAfter { holdMember(asked: retryAfter) }
                counted += 1
                if counted >= configuration.retry.maxAttempts {
                    if breaker.trips != tripsAtStart || breaker.state != .closed {
                        // The API went down meanwhile: start the record's attempts afresh
                        // once it is back.
                        counted = 0
                        tripsAtStart = breaker.trips
                        continue
                    }
                    return .deadLetter(.retriesExhausted, outcome.failure?.description ?? "failed", attempts: calls)
                }
                statistics.retried()
                metrics.retry()
                let delay =
                    configuration.retry.delay(afterAttempt: counted, retryAfter: outcome.retryAfter, using: &rng)
                    ?? configuration.retry.baseDelay
                // Back off, but give the record up at once if its partition is revoked.
                let deadline = ContinuousClock.now + delay
                while ContinuousClock.now < deadline {
                    let seen = wake.generation
                    guard flow.state.withLock({ $0.isCurrent(item) }), !Task.isCancelled else { return .abandoned }
                    await waitForWake(after: seen, until: deadline)
                }
            }
        }
    }

    /// Holds every call of the member for a `Retry-After` (capped); a hold longer than a
    /// minute is logged once, when it starts, with the wait asked and the wait applied.
    func holdMember(asked: Duration) {
        let held = hold.extend(by: asked)
        metrics.apiHold(hold.remaining)
        if held.startsLongHold {
            logger.warning(
                "CardGenius asked to hold every call for \(held.asked.components.seconds) s (Retry-After); holding for \(held.applied.components.seconds) s",
                metadata: ["asked_s": "\(held.asked.components.seconds)", "applied_s": "\(held.applied.components.seconds)"])
        }
    }

    /// What became of a publication.
    enum PublishOutcome {
        /// The broker acknowledged the record.
        case delivered
        /// Given up: the record's assignment is gone, or the producer is closing.
        case abandoned
        /// The broker (or librdkafka's size check) refuses this record itself.
        case rejected(KafkaError)
        /// The topic refuses every write of this member for good.
        case refused(KafkaError)
        /// The producer is unusable.
        case fatal(KafkaError)
    }

    /// Publishes a result and waits for its delivery report. Transient failures are retried
    /// with back-off for as long as the record's assignment holds; a refusal for good is
    /// returned at once (see ``KafkaError/deliveryVerdict``).
    func publish(_ record: KafkaProducerRecord, for item: WorkItem) async -> PublishOutcome {
        var delay = Duration.milliseconds(100)
        while true {
            // A result is handed to the producer only while the member owns the partition
            // (librdkafka's own view: an assignment it has found lost is not owned, whatever
            // the revocation event still queued says) and before the partition's final
            // commit (the seal), checked and counted under the state's lock.
            guard !consumer.isAssignmentLost, flow.state.withLock({ $0.beginSend(item) }) else { return .abandoned }
            do {
                defer { flow.state.withLock { $0.endSend(item) } }
                _ = try await producer.send(record)
                return .delivered
            } catch is CancellationError {
                // The shutdown stopped waiting for the delivery report (after its drain).
                return .abandoned
            } catch {
                metrics.kafkaError()
                let e = error as? KafkaError ?? KafkaError(code: .invalidArgument, message: "\(error)")
                switch e.deliveryVerdict {
                case .recordRejected: return .rejected(e)
                case .topicRefused: return .refused(e)
                case .fatal: return e.code == .closed ? .abandoned : .fatal(e)
                case .retry: break
                }
                logger.warning("publishing to \(record.topic) failed, retrying: \(e)")
                guard flow.state.withLock({ $0.holds(item) }), failure.withLock({ $0 == nil }) else { return .abandoned }
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
    }
}

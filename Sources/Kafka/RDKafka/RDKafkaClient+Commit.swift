internal import CRDKafka

extension RDKafkaClient {
    /// Commits explicit offsets and returns each partition's outcome (see
    /// ``KafkaConsumer/commitEach(_:timeout:)``): the commit's answer is an OFFSET_COMMIT
    /// event on a queue of its own, polled on the blocking queue, and `deadline` bounds the
    /// wait for that queue as well as for the answer.
    func commitEach(
        _ offsets: [KafkaPartitionOffset], deadline: ContinuousClock.Instant,
        timeout: Duration
    ) async throws -> KafkaCommitResult {
        return try await runBlocking { rk in
            let left = deadline - ContinuousClock.now
            guard left >= .milliseconds(100) else {
                throw KafkaError(code: .timedOut, message: "commit: no time left within \(timeout)", isRetriable: true)
            }
            let ms = Int32(clamping: left.milliseconds)
            let list = RDKafkaTopicPartitionList(offsets)
            // The result arrives as an OFFSET_COMMIT event on a queue of our own, with the
            // per-partition errors that rd_kafka_commit() does not hand back.
            guard let queue = rd_kafka_queue_new(rk) else { throw KafkaError(code: .closed, message: "commit: no queue") }
            defer { rd_kafka_queue_destroy(queue) }
            let err = rd_kafka_commit_queue(rk, list.pointer, queue, nil, nil)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw RDKafkaError.from(err, "commit") }
            guard let event = rd_kafka_queue_poll(queue, ms) else {
                throw KafkaError(code: .timedOut, message: "commit: no answer within \(timeout)", isRetriable: true)
            }
            defer { rd_kafka_event_destroy(event) }
            let callError = rd_kafka_event_error(event)
            var answered: [(offset: KafkaPartitionOffset, error: rd_kafka_resp_err_t)] = []
            if let raw = rd_kafka_event_topic_partition_list(event) {
                answered = RDKafkaTopicPartitionList(owning: rd_kafka_topic_partition_list_copy(raw)).elements()
            }
            let anyPartitionError = answered.contains { $0.error != RD_KAFKA_RESP_ERR_NO_ERROR }
            if callError != RD_KAFKA_RESP_ERR_NO_ERROR && !anyPartitionError {
                throw RDKafkaError.from(callError, "commit")
            }
            var result = KafkaCommitResult(committed: [], failed: [])
            for o in offsets {
                let outcome = answered.first { $0.offset.topicPartition == o.topicPartition }?.error ?? RD_KAFKA_RESP_ERR_NO_ERROR
                if outcome == RD_KAFKA_RESP_ERR_NO_ERROR {
                    result.committed.append(o)
                } else {
                    result.failed.append(.init(offset: o, error: RDKafkaError.from(outcome, "commit \(o.topicPartition)")))
                }
            }
            guard !result.failed.isEmpty, !result.committed.isEmpty || result.failed.count > 1 else { return result }
            // librdkafka 2.0.2 copies the last partition's error onto every partition the
            // broker accepted, so a partial failure reads as a total one. Ask the coordinator
            // what it holds now: a partition whose committed offset and metadata are what we
            // sent was committed.
            let doubtful = RDKafkaTopicPartitionList(result.failed.map(\.offset.topicPartition))
            let readBack = Int32(clamping: min(max(deadline - ContinuousClock.now, .milliseconds(100)), .seconds(5)).milliseconds)
            guard rd_kafka_committed(rk, doubtful.pointer, readBack) == RD_KAFKA_RESP_ERR_NO_ERROR else { return result }
            let held = doubtful.elements()
            let confirmed = result.failed.filter { failure in
                held.contains {
                    $0.error == RD_KAFKA_RESP_ERR_NO_ERROR && $0.offset.topicPartition == failure.offset.topicPartition
                        && $0.offset.offset == failure.offset.offset && ($0.offset.metadata ?? "") == (failure.offset.metadata ?? "")
                }
            }
            result.committed += confirmed.map(\.offset)
            result.failed.removeAll { f in confirmed.contains { $0.offset.topicPartition == f.offset.topicPartition } }
            return result
        }
    }
}

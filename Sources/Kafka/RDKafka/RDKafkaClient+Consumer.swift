internal import CRDKafka

/// A consumer's calls into librdkafka, for ``KafkaConsumer`` and ``KafkaPartitionControl``.
/// The blocking ones run on ``RDKafkaClient/runBlocking(_:)``, never on the cooperative pool.
extension RDKafkaClient {
    /// Subscribes to `topics`, joining the group.
    func subscribe(topics: [String]) async throws {
        try await runBlocking { rk in
            let list = RDKafkaTopicPartitionList(topics.map { KafkaTopicPartition(topic: $0, partition: RD_KAFKA_PARTITION_UA) })
            let err = rd_kafka_subscribe(rk, list.pointer)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw RDKafkaError.from(err, "subscribe to \(topics)") }
        }
    }

    /// Reads `offsets` directly, without joining the group; an empty list stops reading everything.
    func assign(_ offsets: [KafkaPartitionOffset]) async throws {
        try await runBlocking { rk in
            let list = RDKafkaTopicPartitionList(offsets)
            let err = rd_kafka_assign(rk, offsets.isEmpty ? nil : list.pointer)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw RDKafkaError.from(err, "assign") }
        }
    }

    /// The partitions currently assigned to this member (a local read: it does not block).
    func assignment() throws -> [KafkaTopicPartition] {
        var raw: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        let err = rd_kafka_assignment(handle, &raw)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw RDKafkaError.from(err, "assignment") }
        guard let raw else { return [] }
        return RDKafkaTopicPartitionList(owning: raw).partitions
    }

    /// This member's id in the group, once it has joined.
    var memberID: String? {
        guard let raw = rd_kafka_memberid(handle) else { return nil }
        defer { rd_kafka_mem_free(handle, raw) }
        let id = String(cString: raw)
        return id.isEmpty ? nil : id
    }

    /// Whether librdkafka considers the current assignment lost (an atomic read).
    var isAssignmentLost: Bool {
        rd_kafka_assignment_lost(handle) != 0
    }

    /// Stops fetching from `partitions`, throwing the call's or the first partition's error.
    func pausePartitions(_ partitions: [KafkaTopicPartition]) throws {
        try apply(rd_kafka_pause_partitions, to: partitions, "pause")
    }

    /// Resumes fetching from `partitions`, throwing the call's or the first partition's error.
    func resumePartitions(_ partitions: [KafkaTopicPartition]) throws {
        try apply(rd_kafka_resume_partitions, to: partitions, "resume")
    }

    private func apply(
        _ call: (OpaquePointer?, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) -> rd_kafka_resp_err_t,
        to partitions: [KafkaTopicPartition], _ operation: String
    ) throws {
        guard !partitions.isEmpty else { return }
        let list = RDKafkaTopicPartitionList(partitions)
        let err = call(handle, list.pointer)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw RDKafkaError.from(err, operation) }
        try list.throwFirstError(operation)
    }

    /// Commits explicit offsets without waiting; a failure arrives as an OFFSET_COMMIT event.
    func commitAsync(_ offsets: [KafkaPartitionOffset]) throws {
        let list = RDKafkaTopicPartitionList(offsets)
        let err = rd_kafka_commit(handle, list.pointer, 1)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw RDKafkaError.from(err, "commit") }
    }

    /// The group's committed offsets (and metadata) for `partitions`.
    func committed(_ partitions: [KafkaTopicPartition], timeout: Duration) async throws -> [KafkaPartitionOffset] {
        let ms = Int32(clamping: timeout.milliseconds)
        return try await runBlocking { rk in
            let list = RDKafkaTopicPartitionList(partitions)
            let err = rd_kafka_committed(rk, list.pointer, ms)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw RDKafkaError.from(err, "committed") }
            try list.throwFirstError("committed")
            return list.elements().map(\.offset)
        }
    }

    /// Moves the fetch position of assigned partitions.
    func seek(_ offsets: [KafkaPartitionOffset], timeout: Duration) async throws {
        let ms = Int32(clamping: timeout.milliseconds)
        try await runBlocking { rk in
            let list = RDKafkaTopicPartitionList(offsets)
            if let error = rd_kafka_seek_partitions(rk, list.pointer, ms) {
                throw RDKafkaError.consume(error, "seek")
            }
            try list.throwFirstError("seek")
        }
    }

    /// For each partition, the earliest offset whose record timestamp is at or after
    /// `timestampMs`; partitions for which the broker knows no such offset are left out.
    func offsetsForTimes(
        _ partitions: [KafkaTopicPartition], timestampMs: Int64,
        timeout: Duration
    ) async throws -> [KafkaTopicPartition: Int64] {
        let ms = Int32(clamping: timeout.milliseconds)
        return try await runBlocking { rk in
            let list = RDKafkaTopicPartitionList(
                partitions.map {
                    KafkaPartitionOffset(topicPartition: $0, offset: timestampMs)
                })
            let err = rd_kafka_offsets_for_times(rk, list.pointer, ms)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw RDKafkaError.from(err, "offsets for times") }
            try list.throwFirstError("offsets for times")
            var answer: [KafkaTopicPartition: Int64] = [:]
            for (offset, _) in list.elements() {
                if offset.offset >= 0 { answer[offset.topicPartition] = offset.offset }
            }
            return answer
        }
    }

    /// The fatal errors tests raise with ``injectFatalError(_:reason:)``.
    enum TestFatalError {
        /// A static member fenced by another with the same `group.instance.id`.
        case fencedInstanceID
        /// An idempotent producer's sequence broken (its fatal idempotence error).
        case outOfOrderSequence
    }

    /// Raises a fatal error as librdkafka would (tests only: `rd_kafka_test_fatal_error`).
    func injectFatalError(_ error: TestFatalError, reason: String) {
        let code =
            switch error {
            case .fencedInstanceID: RD_KAFKA_RESP_ERR_FENCED_INSTANCE_ID
            case .outOfOrderSequence: RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER
            }
        _ = rd_kafka_test_fatal_error(handle, code, reason)
    }
}

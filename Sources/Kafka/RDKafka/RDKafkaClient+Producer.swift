internal import CRDKafka

/// A producer's calls into librdkafka, for ``KafkaProducer``.
extension RDKafkaClient {
    /// What one turn of a poll thread found on ``queue``.
    enum PollOutcome {
        /// No event within the time-out.
        case idle
        /// An event was handled (delivery reports, a log line).
        case handled
        /// An error event (logged already).
        case error(KafkaError)
    }

    /// Waits up to `timeout` for one event on ``queue`` and hands each delivery report in it
    /// to `report`, with the id given to ``produce(_:id:)``. Called by the producer's poll
    /// thread only (the wait blocks).
    func pollDeliveryReports(
        timeout: Duration,
        _ report: (UInt, Result<KafkaDeliveryReport, any Error>) -> Void
    ) -> PollOutcome {
        guard let event = rd_kafka_queue_poll(queue, Int32(clamping: timeout.milliseconds)) else { return .idle }
        defer { rd_kafka_event_destroy(event) }
        guard rd_kafka_event_type(event) == RD_KAFKA_EVENT_DR else {
            return handleCommonEvent(event).map(PollOutcome.error) ?? .handled
        }
        while let message = rd_kafka_event_message_next(event) {
            let m = message.pointee
            let id = UInt(bitPattern: m._private)
            let topic = m.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? "?"
            if m.err == RD_KAFKA_RESP_ERR_NO_ERROR {
                report(
                    id,
                    .success(
                        KafkaDeliveryReport(
                            topicPartition: KafkaTopicPartition(topic: topic, partition: m.partition), offset: m.offset)))
            } else {
                report(id, .failure(RDKafkaError.from(m.err, "delivery to \(topic)")))
            }
        }
        return .handled
    }

    /// Drops the records still waiting in librdkafka's queues, not yet sent to a broker,
    /// without waiting for the broker threads. Returns the call's error, if any.
    func purgeQueued() -> KafkaError? {
        let err = rd_kafka_purge(handle, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_NON_BLOCKING)
        return err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : RDKafkaError.from(err, "purge")
    }

    /// Waits until every record handed over so far is delivered or failed, on a thread of
    /// its own (``runDetached(_:)``).
    func flush(timeout: Duration) async throws {
        let ms = Int32(clamping: timeout.milliseconds)
        try await runDetached { rk in
            let err = rd_kafka_flush(rk, ms)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw RDKafkaError.from(err, "flush") }
        }
    }

    /// Hands a record to librdkafka with `rd_kafka_produceva`, whose return value carries
    /// the error (never the thread-local last error); `id` comes back with its delivery
    /// report. Returns the error, if any. Never blocks.
    func produce(_ record: KafkaProducerRecord, id: UInt) -> KafkaError? {
        let headers: OpaquePointer? = record.headers.isEmpty ? nil : rd_kafka_headers_new(record.headers.count)
        if let headers {
            for h in record.headers {
                if let value = h.value {
                    value.withUnsafeBytes { _ = rd_kafka_header_add(headers, h.name, -1, $0.baseAddress, $0.count) }
                } else {
                    _ = rd_kafka_header_add(headers, h.name, -1, nil, 0)
                }
            }
        }
        let error: OpaquePointer? = record.topic.withCString { topic in
            withOptionalBytes(record.key) { key in
                withOptionalBytes(record.value) { value in
                    // On the stack: one produce call's arguments.
                    withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: 7) { vus in
                        vus.initialize(repeating: rd_kafka_vu_t())
                        var n = 0
                        vus[n].vtype = RD_KAFKA_VTYPE_TOPIC
                        vus[n].u.cstr = topic
                        n += 1
                        vus[n].vtype = RD_KAFKA_VTYPE_MSGFLAGS
                        vus[n].u.i = RD_KAFKA_MSG_F_COPY
                        n += 1
                        vus[n].vtype = RD_KAFKA_VTYPE_OPAQUE
                        vus[n].u.ptr = UnsafeMutableRawPointer(bitPattern: id)
                        n += 1
                        if let partition = record.partition {
                            vus[n].vtype = RD_KAFKA_VTYPE_PARTITION
                            vus[n].u.i32 = partition
                            n += 1
                        }
                        if let key {
                            vus[n].vtype = RD_KAFKA_VTYPE_KEY
                            vus[n].u.mem.ptr = UnsafeMutableRawPointer(mutating: key.baseAddress)
                            vus[n].u.mem.size = key.count
                            n += 1
                        }
                        if let value {
                            vus[n].vtype = RD_KAFKA_VTYPE_VALUE
                            vus[n].u.mem.ptr = UnsafeMutableRawPointer(mutating: value.baseAddress)
                            vus[n].u.mem.size = value.count
                            n += 1
                        }
                        if let headers {
                            vus[n].vtype = RD_KAFKA_VTYPE_HEADERS
                            vus[n].u.headers = headers
                            n += 1
                        }
                        return rd_kafka_produceva(handle, vus.baseAddress, n)
                    }
                }
            }
        }
        guard let error else { return nil }  // librdkafka owns the headers now
        if let headers { rd_kafka_headers_destroy(headers) }
        return RDKafkaError.consume(error, "produce to \(record.topic)")
    }
}

@inline(__always)
private func withOptionalBytes<R>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
    guard let bytes else { return body(nil) }
    return bytes.withUnsafeBytes { body($0) }
}

import CRDKafka

extension KafkaMockCluster {
    /// Kafka protocol requests whose answers the mock cluster can be told to fail.
    public enum Request: Int16, Sendable {
        case produce = 0, fetch = 1, listOffsets = 2, metadata = 3
        case offsetCommit = 8, offsetFetch = 9, findCoordinator = 10, joinGroup = 11
        case heartbeat = 12, leaveGroup = 13, syncGroup = 14, initProducerID = 22
    }

    /// Makes the next `errors.count` requests of `request` (from any client) fail with
    /// `errors`, in order: the fault injection real clusters do to us every week.
    public func pushRequestErrors(_ request: Request, _ errors: [KafkaError.Code]) {
        guard !errors.isEmpty else { return }
        let codes = errors.map { rd_kafka_resp_err_t(rawValue: $0.rawValue) }
        cluster.withLive { mcluster in
            codes.withUnsafeBufferPointer {
                rd_kafka_mock_push_request_errors_array(mcluster, request.rawValue, $0.count, $0.baseAddress)
            }
        }
    }

    /// Forgets the errors pushed for `request` that were not used yet (nothing once the
    /// cluster is shut down).
    public func clearRequestErrors(_ request: Request) {
        cluster.withLive { rd_kafka_mock_clear_request_errors($0, request.rawValue) }
    }

    /// Delays every answer of broker `id` by `rtt` (zero restores it).
    public func setRoundTrip(broker id: Int32, _ rtt: Duration) throws {
        let err = rd_kafka_mock_broker_set_rtt(cluster.pointer, id, Int32(clamping: rtt.milliseconds))
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError.from(err, "broker \(id) round trip") }
    }

    /// Makes `topic`'s metadata answer `code` (for example
    /// ``KafkaError/Code/topicAuthorizationFailed``); ``KafkaError/Code`` 0 clears it.
    public func setTopicError(_ topic: String, _ code: KafkaError.Code) {
        cluster.withLive { rd_kafka_mock_topic_set_error($0, topic, rd_kafka_resp_err_t(rawValue: code.rawValue)) }
    }

    /// Moves the coordinator of consumer group `group` to broker `id`.
    public func setGroupCoordinator(_ group: String, broker id: Int32) throws {
        let err = rd_kafka_mock_coordinator_set(cluster.pointer, "group", group, id)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError.from(err, "group coordinator of \(group)") }
    }

    /// Makes broker `id` the leader of `topic`'s `partition`.
    public func setPartitionLeader(_ topic: String, partition: Int32, broker id: Int32) throws {
        let err = rd_kafka_mock_partition_set_leader(cluster.pointer, topic, partition, id)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError.from(err, "leader of \(topic) [\(partition)]") }
    }
}

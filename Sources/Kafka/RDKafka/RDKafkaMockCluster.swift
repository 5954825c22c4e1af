internal import CRDKafka
import Synchronization

/// The C side of ``KafkaMockCluster``: an `rd_kafka_mock_cluster_t *` on a client handle of
/// its own, destroyed exactly once.
final class RDKafkaMockCluster: Sendable {
    /// The client the cluster lives in; it outlives the cluster.
    let client: RDKafkaClient
    private let state: Mutex<LivePointer?>
    private let pointer: LivePointer
    /// The comma-separated bootstrap list of the cluster's brokers.
    let bootstrapServers: String

    /// The cluster pointer, handed across threads under the lock.
    private struct LivePointer: @unchecked Sendable {
        let pointer: OpaquePointer
    }

    /// Starts a cluster of `brokers` brokers on 127.0.0.1 in `client`.
    init(client: RDKafkaClient, brokers: Int) throws {
        guard let mcluster = rd_kafka_mock_cluster_new(client.handle, Int32(brokers)) else {
            throw KafkaError(code: .mockCluster, message: "rd_kafka_mock_cluster_new failed")
        }
        self.client = client
        self.pointer = LivePointer(pointer: mcluster)
        self.state = Mutex(LivePointer(pointer: mcluster))
        self.bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(mcluster))
    }

    /// Runs `body` with the cluster unless it was destroyed (then nil): a fault cleared in a
    /// test's `defer` after ``KafkaMockCluster/shutdown()`` must not touch freed memory
    /// (librdkafka 2.16 crashed there; 2.0.2 happened not to).
    @discardableResult
    private func withLive<T: Sendable>(_ body: (OpaquePointer) -> T) -> T? {
        state.withLock { live -> T? in
            guard let live else { return nil }
            return body(live.pointer)
        }
    }

    /// Destroys the cluster; returns false if it already was.
    func destroy() -> Bool {
        guard
            let live = state.withLock({ s -> LivePointer? in
                defer { s = nil }
                return s
            })
        else { return false }
        rd_kafka_mock_cluster_destroy(live.pointer)
        return true
    }

    private typealias MockSetMilliseconds = @convention(c) (OpaquePointer?, Int32) -> Void

    /// `group.consumer.session.timeout.ms` and `group.consumer.heartbeat.interval.ms` of the
    /// mock's KIP-848 groups. Both functions are missing from librdkafka 2.0.2, hence `dlsym`
    /// (calling them directly would keep the binary from loading there); nothing happens
    /// where they are missing.
    func setConsumerGroupTiming(sessionTimeout: Duration, heartbeatInterval: Duration) {
        if let set = RDKafkaLibrary.symbol("rd_kafka_mock_set_group_consumer_session_timeout_ms", as: MockSetMilliseconds.self) {
            set(pointer.pointer, Int32(clamping: sessionTimeout.milliseconds))
        }
        if let set = RDKafkaLibrary.symbol("rd_kafka_mock_set_group_consumer_heartbeat_interval_ms", as: MockSetMilliseconds.self) {
            set(pointer.pointer, Int32(clamping: heartbeatInterval.milliseconds))
        }
    }

    /// Creates a topic (an existing one is left as it is).
    func createTopic(_ name: String, partitions: Int32, replicationFactor: Int32) throws {
        let err = rd_kafka_mock_topic_create(pointer.pointer, name, partitions, replicationFactor)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS {
            throw RDKafkaError.from(err, "create topic \(name)")
        }
    }

    /// Takes a broker down (connections are closed and refused) or back up.
    func setBroker(_ id: Int32, up: Bool) throws {
        let err = up ? rd_kafka_mock_broker_set_up(pointer.pointer, id) : rd_kafka_mock_broker_set_down(pointer.pointer, id)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw RDKafkaError.from(err, "broker \(id) \(up ? "up" : "down")") }
    }

    /// Makes the next `errors.count` requests with API key `request` fail with `errors`, in
    /// order (nothing once the cluster is destroyed).
    func pushRequestErrors(_ request: Int16, _ errors: [KafkaError.Code]) {
        let codes = errors.map { rd_kafka_resp_err_t(rawValue: $0.rawValue) }
        withLive { mcluster in
            codes.withUnsafeBufferPointer {
                rd_kafka_mock_push_request_errors_array(mcluster, request, $0.count, $0.baseAddress)
            }
        }
    }

    /// Forgets the errors pushed for API key `request` that were not used yet (nothing once
    /// the cluster is destroyed).
    func clearRequestErrors(_ request: Int16) {
        withLive { rd_kafka_mock_clear_request_errors($0, request) }
    }

    /// Delays every answer of broker `id` by `rtt` (zero restores it).
    func setRoundTrip(broker id: Int32, _ rtt: Duration) throws {
        let err = rd_kafka_mock_broker_set_rtt(pointer.pointer, id, Int32(clamping: rtt.milliseconds))
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw RDKafkaError.from(err, "broker \(id) round trip") }
    }

    /// Makes `topic`'s metadata answer `code` (0 clears it; nothing once the cluster is destroyed).
    func setTopicError(_ topic: String, _ code: KafkaError.Code) {
        withLive { rd_kafka_mock_topic_set_error($0, topic, rd_kafka_resp_err_t(rawValue: code.rawValue)) }
    }

    /// Moves the coordinator of consumer group `group` to broker `id`.
    func setGroupCoordinator(_ group: String, broker id: Int32) throws {
        let err = rd_kafka_mock_coordinator_set(pointer.pointer, "group", group, id)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw RDKafkaError.from(err, "group coordinator of \(group)") }
    }

    /// Makes broker `id` the leader of `topic`'s `partition`.
    func setPartitionLeader(_ topic: String, partition: Int32, broker id: Int32) throws {
        let err = rd_kafka_mock_partition_set_leader(pointer.pointer, topic, partition, id)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw RDKafkaError.from(err, "leader of \(topic) [\(partition)]") }
    }
}

import CRDKafka
import Logging
import Synchronization

/// librdkafka's in-process mock Kafka cluster: real Kafka protocol over TCP on
/// 127.0.0.1 (random ports), for tests and the embedded dev broker.
///
/// Known differences from real Kafka (librdkafka 2.0.2): each partition keeps only its
/// newest ~5 MB, offsets-for-times answers -1, most Admin APIs fail, commits are
/// rejected during a rebalance, aborted transactional records stay visible, and a dead
/// member's partitions move after about twice `session.timeout.ms`.
public final class KafkaMockCluster: Sendable {
    private let client: RDKafkaClient
    let cluster: MockClusterHandle
    private let pollThread: RDKafkaPollThread
    /// The comma-separated bootstrap list of the cluster's brokers.
    public let bootstrapServers: String
    /// The number of brokers.
    public let brokerCount: Int

    /// Starts a cluster of `brokers` brokers on 127.0.0.1.
    public init(brokers: Int = 3, logger: Logger) throws {
        guard (1...16).contains(brokers) else {
            throw KafkaError(code: .invalidArgument, message: "a mock cluster has 1 to 16 brokers, not \(brokers)")
        }
        let client = try RDKafkaClient.make(.producer, properties: ["client.id": "cardgenius-mock-cluster"],
                                            events: 0, logger: logger)
        guard let mcluster = rd_kafka_mock_cluster_new(client.handle, Int32(brokers)) else {
            throw KafkaError(code: .mockCluster, message: "rd_kafka_mock_cluster_new failed")
        }
        self.client = client
        self.cluster = MockClusterHandle(mcluster)
        self.brokerCount = brokers
        self.bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(mcluster))
        // The consumer group protocol (KIP-848) of librdkafka >= 2.12's mock keeps its own
        // session (30 s) and heartbeat (3 s) timing, which the members cannot set: the same
        // session time-out as the classic members' (10 s), and heartbeats often enough that
        // a member joining or leaving is seen within a second.
        Self.setConsumerGroupTiming(mcluster, sessionTimeout: .seconds(10), heartbeatInterval: .seconds(1))
        self.pollThread = RDKafkaPollThread(name: "kafka-mock-poll") {
            if let event = rd_kafka_queue_poll(client.queue, 100) {
                _ = client.handleCommonEvent(event)
                rd_kafka_event_destroy(event)
            }
            return true  // until shutdown() or deinit stops the thread
        }
    }

    private typealias MockSetMilliseconds = @convention(c) (OpaquePointer?, Int32) -> Void

    /// `group.consumer.session.timeout.ms` and `group.consumer.heartbeat.interval.ms` of the
    /// mock's KIP-848 groups. Both functions are missing from librdkafka 2.0.2, hence `dlsym`
    /// (calling them directly would keep the binary from loading there).
    private static func setConsumerGroupTiming(_ mcluster: OpaquePointer, sessionTimeout: Duration, heartbeatInterval: Duration) {
        if let set = KafkaLibrary.symbol("rd_kafka_mock_set_group_consumer_session_timeout_ms", as: MockSetMilliseconds.self) {
            set(mcluster, Int32(clamping: sessionTimeout.milliseconds))
        }
        if let set = KafkaLibrary.symbol("rd_kafka_mock_set_group_consumer_heartbeat_interval_ms", as: MockSetMilliseconds.self) {
            set(mcluster, Int32(clamping: heartbeatInterval.milliseconds))
        }
    }

    /// Creates a topic (an existing one is left as it is).
    public func createTopic(_ name: String, partitions: Int32, replicationFactor: Int32 = 1) throws {
        guard partitions >= 1 else {
            throw KafkaError(code: .invalidArgument, message: "topic \(name): partitions must be >= 1, not \(partitions)")
        }
        let err = rd_kafka_mock_topic_create(cluster.pointer, name, partitions, min(replicationFactor, Int32(brokerCount)))
        if err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS {
            throw KafkaError.from(err, "create topic \(name)")
        }
    }

    /// Takes a broker down (connections are closed and refused) or back up.
    public func setBroker(_ id: Int32, up: Bool) throws {
        let err = up ? rd_kafka_mock_broker_set_up(cluster.pointer, id) : rd_kafka_mock_broker_set_down(cluster.pointer, id)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError.from(err, "broker \(id) \(up ? "up" : "down")") }
    }

    /// Stops the brokers and frees the cluster.
    public func shutdown() async {
        guard cluster.destroy() else { return }
        pollThread.stop()
        await pollThread.join()
    }

    deinit {
        _ = cluster.destroy()
        pollThread.stop()
    }
}

/// The `rd_kafka_mock_cluster_t *`, destroyed exactly once.
final class MockClusterHandle: @unchecked Sendable {
    private let state: Mutex<OpaquePointerBox?>
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) {
        self.pointer = pointer
        self.state = Mutex(OpaquePointerBox(pointer))
    }

    /// Runs `body` with the cluster unless it was destroyed (then nil): a fault cleared in a
    /// test's `defer` after ``KafkaMockCluster/shutdown()`` must not touch freed memory
    /// (librdkafka 2.16 crashed there; 2.0.2 happened not to).
    @discardableResult
    func withLive<T: Sendable>(_ body: (OpaquePointer) -> T) -> T? {
        state.withLock { box -> T? in
            guard let box else { return nil }
            return body(box.pointer)
        }
    }

    /// Destroys the cluster; returns false if it already was.
    func destroy() -> Bool {
        guard let box = state.withLock({ s -> OpaquePointerBox? in defer { s = nil }; return s }) else { return false }
        rd_kafka_mock_cluster_destroy(box.pointer)
        return true
    }
}

struct OpaquePointerBox: @unchecked Sendable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
}

import Logging

/// librdkafka's in-process mock Kafka cluster: real Kafka protocol over TCP on
/// 127.0.0.1 (random ports), for tests and the embedded dev broker.
///
/// Known differences from real Kafka (librdkafka 2.0.2): each partition keeps only its
/// newest ~5 MB, offsets-for-times answers -1, most Admin APIs fail, commits are
/// rejected during a rebalance, aborted transactional records stay visible, and a dead
/// member's partitions move after about twice `session.timeout.ms`.
public final class KafkaMockCluster: Sendable {
    let cluster: RDKafkaMockCluster
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
        let client = try RDKafkaClient.make(
            .producer, properties: ["client.id": "cardgenius-mock-cluster"],
            events: [], logger: logger)
        let cluster = try RDKafkaMockCluster(client: client, brokers: brokers)
        self.cluster = cluster
        self.brokerCount = brokers
        self.bootstrapServers = cluster.bootstrapServers
        // The consumer group protocol (KIP-848) of librdkafka >= 2.12's mock keeps its own
        // session (30 s) and heartbeat (3 s) timing, which the members cannot set: the same
        // session time-out as the classic members' (10 s), and heartbeats often enough that
        // a member joining or leaving is seen within a second.
        cluster.setConsumerGroupTiming(sessionTimeout: .seconds(10), heartbeatInterval: .seconds(1))
        self.pollThread = RDKafkaPollThread(name: "kafka-mock-poll") {
            client.pollCommonEvent(timeout: .milliseconds(100))
            return true  // until shutdown() or deinit stops the thread
        }
    }

    /// Creates a topic (an existing one is left as it is).
    public func createTopic(_ name: String, partitions: Int32, replicationFactor: Int32 = 1) throws {
        guard partitions >= 1 else {
            throw KafkaError(code: .invalidArgument, message: "topic \(name): partitions must be >= 1, not \(partitions)")
        }
        try cluster.createTopic(name, partitions: partitions, replicationFactor: min(replicationFactor, Int32(brokerCount)))
    }

    /// Takes a broker down (connections are closed and refused) or back up.
    public func setBroker(_ id: Int32, up: Bool) throws {
        try cluster.setBroker(id, up: up)
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

extension KafkaMockCluster {
    /// Kafka protocol requests whose answers the mock cluster can be told to fail.
    public enum Request: Int16, Sendable {
        case produce = 0
        case fetch = 1
        case listOffsets = 2
        case metadata = 3
        case offsetCommit = 8
        case offsetFetch = 9
        case findCoordinator = 10
        case joinGroup = 11
        case heartbeat = 12
        case leaveGroup = 13
        case syncGroup = 14
        case initProducerID = 22
    }

    /// Makes the next `errors.count` requests of `request` (from any client) fail with
    /// `errors`, in order: the fault injection real clusters do to us every week.
    public func pushRequestErrors(_ request: Request, _ errors: [KafkaError.Code]) {
        guard !errors.isEmpty else { return }
        cluster.pushRequestErrors(request.rawValue, errors)
    }

    /// Forgets the errors pushed for `request` that were not used yet (nothing once the
    /// cluster is shut down).
    public func clearRequestErrors(_ request: Request) {
        cluster.clearRequestErrors(request.rawValue)
    }

    /// Delays every answer of broker `id` by `rtt` (zero restores it).
    public func setRoundTrip(broker id: Int32, _ rtt: Duration) throws {
        try cluster.setRoundTrip(broker: id, rtt)
    }

    /// Makes `topic`'s metadata answer `code` (for example
    /// ``KafkaError/Code/topicAuthorizationFailed``); ``KafkaError/Code`` 0 clears it.
    public func setTopicError(_ topic: String, _ code: KafkaError.Code) {
        cluster.setTopicError(topic, code)
    }

    /// Moves the coordinator of consumer group `group` to broker `id`.
    public func setGroupCoordinator(_ group: String, broker id: Int32) throws {
        try cluster.setGroupCoordinator(group, broker: id)
    }

    /// Makes broker `id` the leader of `topic`'s `partition`.
    public func setPartitionLeader(_ topic: String, partition: Int32, broker id: Int32) throws {
        try cluster.setPartitionLeader(topic, partition: partition, broker: id)
    }
}

/// Configuration of a ``KafkaConsumer``: one member of a consumer group.
///
/// Offsets are only ever committed explicitly by the application (auto-commit and
/// auto offset store are off), because committed offsets are this service's checkpoints.
public struct KafkaConsumerConfiguration: Sendable, Equatable {
    /// Where to start in a partition that has no committed offset.
    public enum OffsetReset: String, Sendable {
        case earliest, latest, error
    }

    /// How the group leader shares partitions among members.
    public enum AssignmentStrategy: String, Sendable {
        case range
        case roundRobin = "roundrobin"
        case cooperativeSticky = "cooperative-sticky"
    }

    /// The consumer group protocol (librdkafka's `group.protocol`).
    public enum GroupProtocol: String, Sendable {
        /// JoinGroup/SyncGroup: the member sets its session, heartbeat and assignor, and a
        /// member joining or leaving stops the group while partitions are handed over.
        case classic
        /// KIP-848 (Kafka >= 4.0, librdkafka >= 2.12): the broker assigns partitions and owns
        /// the session and heartbeat timing; assignments change incrementally, so a member
        /// joining or leaving moves only the partitions that change owner.
        case consumer
    }

    /// Comma-separated `host:port` list of bootstrap brokers.
    public var bootstrapServers: String
    /// The consumer group's id.
    public var groupID: String
    /// Static membership: this member's `group.instance.id` (stable across restarts, unique in
    /// the group), or `nil` for a dynamic member.
    public var groupInstanceID: String? = nil
    /// The `client.id` shown in broker logs and metrics.
    public var clientID: String = "cardgenius"
    /// The group protocol. With ``GroupProtocol/consumer`` the session and heartbeat timing
    /// and the assignor belong to the broker: ``sessionTimeout``, ``heartbeatInterval`` and
    /// ``assignmentStrategy`` are not sent (`group.remote.assignor` may be set in
    /// ``properties``).
    public var groupProtocol: GroupProtocol = .classic
    /// A member that sends no heartbeat for this long is removed from the group.
    public var sessionTimeout: Duration = .seconds(10)
    /// How often the member heartbeats (well under ``sessionTimeout``).
    public var heartbeatInterval: Duration = .seconds(2)
    /// A member that does not poll for this long leaves the group.
    public var maxPollInterval: Duration = .seconds(300)
    /// Where to start without a committed offset.
    public var autoOffsetReset: OffsetReset = .earliest
    /// The partition assignment strategy.
    public var assignmentStrategy: AssignmentStrategy = .roundRobin
    /// The most data librdkafka prefetches per partition queue, in kilobytes.
    public var maxPrefetchKilobytes: Int = 8192
    /// Emit ``KafkaConsumerEvent/endOfPartition(_:)`` when a partition is read to its end.
    public var emitEndOfPartition: Bool = false
    /// How long the member waits for the application to acknowledge a revocation before
    /// giving the partitions up regardless.
    public var revocationTimeout: Duration = .seconds(60)
    /// Emit ``KafkaConsumerEvent/statistics(_:)`` this often (librdkafka's JSON), or `nil`.
    public var statisticsInterval: Duration? = nil
    /// librdkafka debug contexts (for example `cgrp,topic,fetch`), or `nil`.
    public var debug: String? = nil
    /// Raw librdkafka properties, applied after the typed ones.
    public var properties: [String: String] = [:]

    public init(bootstrapServers: String, groupID: String) {
        self.bootstrapServers = bootstrapServers
        self.groupID = groupID
    }

    /// The property dictionary handed to librdkafka; built only at the C boundary.
    func rdKafkaProperties() -> [String: String] {
        var p: [String: String] = [
            "bootstrap.servers": bootstrapServers,
            "group.id": groupID,
            "client.id": clientID,
            "max.poll.interval.ms": String(maxPollInterval.milliseconds),
            "auto.offset.reset": autoOffsetReset.rawValue,
            "queued.max.messages.kbytes": String(maxPrefetchKilobytes),
            "enable.auto.commit": "false",
            "enable.auto.offset.store": "false",
            "enable.partition.eof": emitEndOfPartition ? "true" : "false",
        ]
        switch groupProtocol {
        case .classic:
            // `group.protocol` is left unset: librdkafka before 2.4 does not know the property
            // (and its default is `classic`).
            p["session.timeout.ms"] = String(sessionTimeout.milliseconds)
            p["heartbeat.interval.ms"] = String(heartbeatInterval.milliseconds)
            p["partition.assignment.strategy"] = assignmentStrategy.rawValue
        case .consumer:
            // librdkafka refuses these three with the consumer protocol: the broker owns them.
            p["group.protocol"] = "consumer"
        }
        if let groupInstanceID, !groupInstanceID.isEmpty { p["group.instance.id"] = groupInstanceID }
        if let statisticsInterval { p["statistics.interval.ms"] = String(statisticsInterval.milliseconds) }
        if let debug { p["debug"] = debug }
        p.merge(properties) { _, raw in raw }
        return p
    }
}

import Logging
import Synchronization

/// A small Admin API client (librdkafka's Admin API on its own client handle).
///
/// Only what the operations commands need: ``describeConsumerGroup(_:timeout:)``.
/// Results arrive on a private queue that is polled on the client's blocking dispatch
/// queue, never on Swift's cooperative pool.
///
/// librdkafka 2.0.2 leaks a broker reference when a broker does not support
/// DescribeConsumerGroups (the mock cluster), after which destroying the handle never
/// returns. ``close()`` therefore releases the handle on a detached thread and waits for
/// it only briefly; a short-lived command exits regardless.
public final class KafkaAdminClient: Sendable {
    private let holder: Mutex<RDKafkaAdminHandle?>
    private let logger: Logger

    /// Creates the client. It connects lazily, on the first request.
    public init(bootstrapServers: String, properties: [String: String] = [:], logger: Logger) throws {
        var p: [String: String] = ["bootstrap.servers": bootstrapServers, "client.id": "cardgenius-admin"]
        p.merge(properties) { _, raw in raw }
        let handle = try RDKafkaAdminHandle(properties: p, logger: logger)
        self.holder = Mutex(handle)
        self.logger = logger
    }

    /// The cluster's id (from the brokers' metadata), or nil when no broker answered
    /// within `timeout`. librdkafka's mock cluster names itself `mockCluster…`.
    public func clusterID(timeout: Duration = .seconds(3)) async throws -> String? {
        guard let handle = holder.withLock({ $0 }) else { throw KafkaError.closed("cluster id") }
        return try await handle.clusterID(timeout: timeout)
    }

    /// Whether `clusterID` is that of librdkafka's mock cluster (the dev broker), which
    /// supports none of the Admin requests for consumer groups.
    public static func isMockCluster(clusterID: String) -> Bool {
        clusterID.hasPrefix("mockCluster")
    }

    /// Describes `group`: state, assignor, members and their partitions.
    ///
    /// Throws ``KafkaError`` with ``KafkaError/Code/timedOut`` when the broker does not
    /// answer within `timeout`, ``KafkaError/Code/unsupportedFeature`` when it does not
    /// support the request (librdkafka's mock cluster), or the group-level error the broker
    /// returned.
    public func describeConsumerGroup(_ group: String, timeout: Duration = .seconds(3)) async throws -> KafkaConsumerGroupDescription {
        guard let handle = holder.withLock({ $0 }) else { throw KafkaError.closed("describe consumer group") }
        return try await handle.describeConsumerGroup(group, timeout: timeout)
    }

    /// Releases the client handle (see the type's note on librdkafka 2.0.2), waiting at
    /// most `wait` for librdkafka to finish destroying it.
    public func close(wait: Duration = .seconds(2)) async {
        guard
            let handle = holder.withLock({ value -> RDKafkaAdminHandle? in
                defer { value = nil }
                return value
            })
        else { return }
        await handle.release(wait: wait)
    }
}

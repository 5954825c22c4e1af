import Synchronization

/// What a ``KafkaConsumer`` reports, in the order librdkafka delivered it.
///
/// Records of a partition always arrive after the ``assigned(_:)`` that gave it to this
/// member and before the ``revoked(_:)`` that takes it away, so an application that
/// handles the stream in order never confuses generations.
public enum KafkaConsumerEvent: Sendable {
    /// A batch of records, in offset order per partition.
    case records([KafkaRecord])
    /// Partitions given to this member, each with its committed offset and commit
    /// metadata (``KafkaOffset/invalid`` where nothing was committed yet).
    case assigned([KafkaPartitionOffset])
    /// Partitions being taken away. The member waits for
    /// ``KafkaRevocation/acknowledge()`` (up to the configured revocation time-out) before
    /// giving them up, so the application can finish and commit first. During
    /// ``KafkaConsumer/close()`` the event is informational and nothing waits for it.
    case revoked(KafkaRevocation)
    /// A partition was read to its end (only with `emitEndOfPartition`).
    case endOfPartition(KafkaPartitionOffset)
    /// A non-fatal or fatal error from the client.
    case error(KafkaError)
    /// librdkafka's statistics JSON (only with `statisticsInterval`).
    case statistics(String)
}

/// A revocation in progress: the application finishes its work on ``partitions``,
/// commits, then calls ``acknowledge()``.
public final class KafkaRevocation: Sendable, CustomStringConvertible {
    /// The partitions being revoked.
    public let partitions: [KafkaTopicPartition]
    /// Whether the partitions were lost (the member was evicted): commits for them will fail.
    public let isLost: Bool
    private let acknowledged = Mutex(false)
    private let semaphore = DispatchSemaphoreBox()

    init(partitions: [KafkaTopicPartition], isLost: Bool) {
        self.partitions = partitions
        self.isLost = isLost
    }

    /// Lets the member give the partitions up. Calling it more than once is harmless.
    public func acknowledge() {
        let first = acknowledged.withLock { done -> Bool in
            defer { done = true }
            return !done
        }
        if first { semaphore.signal() }
    }

    /// Blocks the calling (poll) thread until acknowledged or `timeout` passes.
    func wait(timeout: Duration) -> Bool {
        semaphore.wait(timeout: timeout)
    }

    public var description: String {
        "revocation of \(partitions.map(\.description).joined(separator: ","))\(isLost ? " (lost)" : "")"
    }
}

/// The outcome of a commit, partition by partition (see ``KafkaConsumer/commitEach(_:timeout:)``).
public struct KafkaCommitResult: Sendable {
    /// A partition whose commit failed, and why.
    public struct Failure: Sendable {
        /// The offset (and metadata) that was not committed.
        public var offset: KafkaPartitionOffset
        /// The broker's or librdkafka's reason.
        public var error: KafkaError
    }

    /// The offsets the group coordinator accepted.
    public var committed: [KafkaPartitionOffset]
    /// The offsets it refused.
    public var failed: [Failure]
}

/// A consumer group as the broker describes it (DescribeConsumerGroups): its state, its
/// assignor and its members with their assigned partitions.
public struct KafkaConsumerGroupDescription: Sendable, Hashable {
    /// The group's state as the coordinator sees it.
    public enum State: String, Sendable, Hashable {
        case unknown
        case preparingRebalance = "preparing-rebalance"
        case completingRebalance = "completing-rebalance"
        case stable, dead, empty
    }

    /// One member of the group.
    public struct Member: Sendable, Hashable {
        /// The member id the coordinator gave it (`consumer_id`).
        public var memberID: String
        /// The member's `client.id`.
        public var clientID: String
        /// The member's host as the broker saw it (for example `/10.0.0.7`).
        public var host: String
        /// The static membership id, if the member uses one.
        public var groupInstanceID: String?
        /// The partitions currently assigned to it.
        public var assignment: [KafkaTopicPartition]

        public init(
            memberID: String, clientID: String, host: String, groupInstanceID: String? = nil,
            assignment: [KafkaTopicPartition]
        ) {
            self.memberID = memberID
            self.clientID = clientID
            self.host = host
            self.groupInstanceID = groupInstanceID
            self.assignment = assignment
        }
    }

    /// The group id.
    public var groupID: String
    /// The group's state.
    public var state: State
    /// The partition assignor the members agreed on (empty when the group is empty).
    public var partitionAssignor: String
    /// The members, in the broker's order.
    public var members: [Member]

    public init(groupID: String, state: State, partitionAssignor: String, members: [Member]) {
        self.groupID = groupID
        self.state = state
        self.partitionAssignor = partitionAssignor
        self.members = members
    }
}

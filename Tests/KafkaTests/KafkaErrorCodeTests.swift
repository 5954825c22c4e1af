import Kafka
import Testing

/// ``KafkaError/Code``'s constants are librdkafka's response codes written as numbers (the
/// Kafka module's public files do not see the C enum): each must be the code librdkafka
/// names as its comment says, and the codes keep their verdicts.
@Suite("Kafka error codes")
struct KafkaErrorCodeTests {
    @Test(
        "each named code is librdkafka's code of that name",
        arguments: [
            (KafkaError.Code.queueFull, "_QUEUE_FULL"), (.timedOut, "_TIMED_OUT"), (.messageTimedOut, "_MSG_TIMED_OUT"),
            (.rebalanceInProgress, "REBALANCE_IN_PROGRESS"), (.illegalGeneration, "ILLEGAL_GENERATION"),
            (.unknownTopicOrPartition, "UNKNOWN_TOPIC_OR_PART"), (.noOffset, "_NO_OFFSET"),
            (.unsupported, "_NOT_IMPLEMENTED"), (.unsupportedFeature, "_UNSUPPORTED_FEATURE"),
            (.inconsistentGroupProtocol, "INCONSISTENT_GROUP_PROTOCOL"), (.unknownMemberID, "UNKNOWN_MEMBER_ID"),
            (.fatal, "_FATAL"), (.topicAuthorizationFailed, "TOPIC_AUTHORIZATION_FAILED"),
            (.clusterAuthorizationFailed, "CLUSTER_AUTHORIZATION_FAILED"), (.messageSizeTooLarge, "MSG_SIZE_TOO_LARGE"),
            (.unknownTopic, "_UNKNOWN_TOPIC"), (.notEnoughReplicas, "NOT_ENOUGH_REPLICAS"),
            (.coordinatorNotAvailable, "COORDINATOR_NOT_AVAILABLE"), (.notCoordinator, "NOT_COORDINATOR"),
            (.requestTimedOut, "REQUEST_TIMED_OUT"), (.leaderNotAvailable, "LEADER_NOT_AVAILABLE"),
            (.fencedInstanceID, "FENCED_INSTANCE_ID"),
        ])
    func librdkafkaName(code: KafkaError.Code, name: String) {
        #expect(code.description == name)
    }

    @Test("the wrapper's own codes have names of their own")
    func wrapperNames() {
        #expect(
            [KafkaError.Code.configuration, .closed, .invalidArgument, .mockCluster].map(\.description)
                == ["configuration", "closed", "invalid-argument", "mock-cluster"])
    }

    @Test("a failed delivery's verdict follows librdkafka's code")
    func deliveryVerdicts() {
        func verdict(_ code: KafkaError.Code, fatal: Bool = false) -> KafkaError.DeliveryVerdict {
            KafkaError(code: code, message: "delivery", isFatal: fatal).deliveryVerdict
        }
        #expect(verdict(.messageSizeTooLarge) == .recordRejected)
        #expect(verdict(.topicAuthorizationFailed) == .topicRefused)
        #expect(verdict(.clusterAuthorizationFailed) == .topicRefused)
        #expect(verdict(.unknownTopic) == .topicRefused)
        #expect(verdict(.notEnoughReplicas) == .retry)
        #expect(verdict(.messageTimedOut) == .retry)
        #expect(verdict(.closed) == .fatal)
        #expect(verdict(.notEnoughReplicas, fatal: true) == .fatal)
    }
}

import Foundation
import Kafka
import Operations
import Testing

@Suite("DescribeConsumerGroups: the admin client against the mock, and what a description means")
struct GroupDescriberTests {
    @Test("the mock cluster is recognised by its cluster id and never asked DescribeConsumerGroups: 'unavailable' at once")
    func mockUnavailable() async throws {
        let cluster = try KafkaMockCluster(brokers: 1, logger: OperationsTest.logger())
        let started = ContinuousClock.now
        let outcome = await GroupDescriber(KafkaAccess(bootstrapServers: cluster.bootstrapServers, logger: OperationsTest.logger()))
            .describe(OperationsTest.unique("g"), timeout: .seconds(3))
        let took = ContinuousClock.now - started
        guard case .unavailable(let reason) = outcome else {
            Issue.record("the mock answered: \(outcome)")
            return
        }
        #expect(reason.contains("does not answer DescribeConsumerGroups"), "\(reason)")
        #expect(reason.contains("mock cluster"), "recognised before asking: \(reason)")
        // A hang guard only (the 3 s DescribeConsumerGroups time-out was never waited for).
        #expect(took < .seconds(10), "took \(took)")
        await cluster.shutdown()
    }

    @Test("the admin client reads the cluster id; the mock's starts with mockCluster, and closing returns at once")
    func clusterID() async throws {
        let cluster = try KafkaMockCluster(brokers: 1, logger: OperationsTest.logger())
        let admin = try KafkaAdminClient(bootstrapServers: cluster.bootstrapServers, logger: OperationsTest.logger())
        let id = try #require(try await admin.clusterID())
        #expect(KafkaAdminClient.isMockCluster(clusterID: id), "\(id)")
        #expect(!KafkaAdminClient.isMockCluster(clusterID: "MkU3OEVBNTcwNTJENDM2Qk"), "a KRaft cluster id")
        let started = ContinuousClock.now
        await admin.close(wait: .seconds(5))
        #expect(
            ContinuousClock.now - started < .seconds(5), "close did not wait out its 5 s limit: destroying the client does not hang when nothing was described")
        await cluster.shutdown()
    }

    static func member(_ id: String, _ partitions: [Int32]) -> KafkaConsumerGroupDescription.Member {
        .init(
            memberID: id, clientID: "cardgenius-member", host: "/10.0.0.\(partitions.count)",
            assignment: partitions.map { KafkaTopicPartition(topic: "t", partition: $0) })
    }

    @Test("stable with members is active; empty without members is idle")
    func activity() {
        let busy = KafkaConsumerGroupDescription(
            groupID: "g", state: .stable, partitionAssignor: "roundrobin",
            members: [Self.member("m1", [0, 2]), Self.member("m2", [1])])
        guard case .active(let evidence) = GroupDescriber.activity(of: busy) else {
            Issue.record("not active")
            return
        }
        #expect(evidence.contains("2 member(s)"))
        let empty = KafkaConsumerGroupDescription(groupID: "g", state: .empty, partitionAssignor: "", members: [])
        #expect(GroupDescriber.activity(of: empty) == .idle)
        let dead = KafkaConsumerGroupDescription(groupID: "g", state: .dead, partitionAssignor: "", members: [])
        #expect(GroupDescriber.activity(of: dead) == .idle)
        let rebalancing = KafkaConsumerGroupDescription(
            groupID: "g", state: .preparingRebalance, partitionAssignor: "",
            members: [Self.member("m1", [])])
        if case .active = GroupDescriber.activity(of: rebalancing) {} else { Issue.record("a rebalancing group with members is active") }
    }

    @Test("status renders members from a description, and 'not available' otherwise")
    func renderMembers() throws {
        let status = GroupStatus(
            topic: "t", groupID: "g",
            ranges: [
                PartitionRange(topicPartition: KafkaTopicPartition(topic: "t", partition: 0), low: 0, high: 10)
            ], committed: [:])
        let estimate = DrainEstimate(lag: 10, rate: .init(10, source: "r"), workers: .init(20, source: "w"), latencySeconds: .init(1.5, source: "l"))
        let described = StatusReport(
            status: status, estimate: estimate, nowMs: 0, nextCohortMs: .init(86_400_000, source: "s"),
            members: .described(
                .init(
                    groupID: "g", state: .stable, partitionAssignor: "roundrobin",
                    members: [Self.member("m1", [0])])))
        #expect(described.renderText().contains("members: 1 (state stable, assignor roundrobin)"))
        #expect(described.renderText().contains("m1: partitions [0]"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(described.renderJSON().utf8)) as? [String: Any])
        let members = try #require(json["members"] as? [String: Any])
        #expect(members["available"] as? Bool == true)
        #expect((members["list"] as? [[String: Any]])?.first?["partitions"] as? [Int] == [0])
        let unavailable = StatusReport(
            status: status, estimate: estimate, nowMs: 0, nextCohortMs: .init(86_400_000, source: "s"),
            members: .unavailable(reason: "the broker does not answer DescribeConsumerGroups"))
        #expect(unavailable.renderText().contains("members: not available (the broker does not answer DescribeConsumerGroups)"))
    }
}

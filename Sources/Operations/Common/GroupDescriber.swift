import Kafka
import Logging

/// Asks the broker to describe a consumer group (DescribeConsumerGroups) with a short
/// time-out. Real Kafka answers; librdkafka's mock cluster does not support the request.
package struct GroupDescriber: Sendable {
    /// Where Kafka is, and the logger for the clients this creates.
    package var access: KafkaAccess
    private var logger: Logger { access.logger }

    package init(_ access: KafkaAccess) {
        self.access = access
    }

    /// The outcome of one attempt.
    package enum Outcome: Sendable, Hashable {
        case described(KafkaConsumerGroupDescription)
        /// Time-out, unsupported request or another error: `reason` says which.
        case unavailable(reason: String)
    }

    /// Describes `group`, waiting at most `timeout`.
    package func describe(_ group: String, timeout: Duration = .seconds(3)) async -> Outcome {
        let admin: KafkaAdminClient
        do {
            admin = try KafkaAdminClient(bootstrapServers: access.bootstrapServers, properties: access.properties, logger: logger)
        } catch {
            return .unavailable(reason: "\(error)")
        }
        let outcome: Outcome
        do {
            // librdkafka's mock cluster does not support DescribeConsumerGroups, and after
            // asking it librdkafka 2.0.2 leaks a broker reference (destroying the client then
            // hangs or trips an assertion): don't ask it.
            if let id = try await admin.clusterID(timeout: timeout), KafkaAdminClient.isMockCluster(clusterID: id) {
                await admin.close(wait: .milliseconds(200))
                return .unavailable(reason: "the broker does not answer DescribeConsumerGroups: it is librdkafka's mock cluster")
            }
            outcome = .described(try await admin.describeConsumerGroup(group, timeout: timeout))
        } catch let error as KafkaError where error.code == .unsupportedFeature || error.code == .unsupported {
            outcome = .unavailable(reason: "the broker does not answer DescribeConsumerGroups")
        } catch let error as KafkaError where error.code == .timedOut {
            outcome = .unavailable(reason: "the broker does not answer DescribeConsumerGroups (no answer within \(timeout))")
        } catch {
            outcome = .unavailable(reason: "DescribeConsumerGroups failed: \(error)")
        }
        await admin.close(wait: .milliseconds(200))
        return outcome
    }

    /// What a description says about activity.
    package static func activity(of description: KafkaConsumerGroupDescription) -> GroupActivity {
        switch description.state {
        case .empty, .dead:
            return description.members.isEmpty ? .idle : .active(evidence: "\(description.members.count) member(s) listed")
        default:
            if description.members.isEmpty { return .unknown(reason: "group state \(description.state.rawValue) without members") }
            let who = description.members.prefix(4).map { "\($0.clientID)@\($0.host)" }.joined(separator: ", ")
            return .active(evidence: "DescribeConsumerGroups lists \(description.members.count) member(s): \(who)\(description.members.count > 4 ? ", …" : "")")
        }
    }
}

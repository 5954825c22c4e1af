import Foundation
import Kafka

extension StatusReport {
    /// The report as one JSON object (keys sorted). Fields:
    /// `group`, `topic`, `generated_at`, `partitions` [`partition`, `committed` (null when
    /// none), `low`, `end`, `lag`, `completed_above_commit`, `foreign_metadata`], `totals` {`end`, `lag`,
    /// `completed_above_commit`}, `has_commits`, `throughput` {`records_per_second`,
    /// `rate` (null = unlimited), `rate_source`, `workers`, `workers_source`,
    /// `latency_s`, `latency_source`, `limited_by`}, `drain_seconds` (null = never),
    /// `next_cohort` {`at`, `source`, `drains_before`, `margin_seconds`}, `members`
    /// {`available`, `reason`?, `state`?, `assignor`?, `list`? [`member_id`, `client_id`,
    /// `host`, `partitions`]}.
    package func renderJSON() -> String {
        let e = estimate
        let (drains, margin) = cohortCheck
        let members: JSON.Members
        switch self.members {
        case .unavailable(let reason):
            members = JSON.Members(available: false, reason: reason)
        case .described(let d):
            members = JSON.Members(
                available: true, state: d.state.rawValue, assignor: d.partitionAssignor,
                list: d.members.map { m in
                    JSON.Member(
                        memberID: m.memberID, clientID: m.clientID, host: m.host,
                        partitions: m.assignment.filter { $0.topic == status.topic }.map { Int($0.partition) })
                })
        }
        let object = JSON(
            group: status.groupID,
            topic: status.topic,
            generatedAt: ISO8601Timestamp.format(milliseconds: nowMs),
            hasCommits: status.hasCommits,
            partitions: status.partitions.map { p in
                JSON.Partition(
                    partition: Int(p.topicPartition.partition), committed: Nullable(p.committed),
                    low: p.low, end: p.high, lag: p.lag, completedAboveCommit: p.completedAboveCommit,
                    foreignMetadata: p.foreignMetadata)
            },
            totals: JSON.Totals(
                end: status.totalEnd, lag: status.totalLag,
                completedAboveCommit: status.totalCompletedAboveCommit),
            throughput: JSON.Throughput(
                recordsPerSecond: Self.finite(e.throughput), rate: Self.finite(e.rate.value), rateSource: e.rate.source,
                workers: e.workers.value, workersSource: e.workers.source,
                latencySeconds: e.latencySeconds.value, latencySource: e.latencySeconds.source, limitedBy: e.limitedBy),
            drainSeconds: Self.finite(e.seconds),
            nextCohort: JSON.NextCohort(
                at: ISO8601Timestamp.format(milliseconds: nextCohortMs.value),
                source: nextCohortMs.source, drainsBefore: drains,
                marginSeconds: Self.finite(margin)),
            members: members)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]  // slashes escaped ("\/"), as JSONSerialization wrote them
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let data = (try? encoder.encode(object)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    private static func finite(_ value: Double) -> Nullable<Double> {
        guard value.isFinite else { return Nullable(nil) }
        return Nullable((value * 1000).rounded() / 1000)
    }

    /// The JSON document's shape (property names are the JSON keys in camel case; the
    /// encoder writes them in snake case, `latencySeconds` as `latency_s`).
    private struct JSON: Encodable {
        struct Partition: Encodable {
            var partition: Int
            var committed: Nullable<Int64>
            var low: Int64
            var end: Int64
            var lag: Int64
            var completedAboveCommit: Int
            var foreignMetadata: Bool
        }
        struct Totals: Encodable {
            var end: Int64
            var lag: Int64
            var completedAboveCommit: Int
        }
        struct Throughput: Encodable {
            var recordsPerSecond: Nullable<Double>
            var rate: Nullable<Double>
            var rateSource: String
            var workers: Int
            var workersSource: String
            var latencySeconds: Double
            var latencySource: String
            var limitedBy: String

            enum CodingKeys: String, CodingKey {
                case recordsPerSecond, rate, rateSource, workers, workersSource
                case latencySeconds = "latencyS"
                case latencySource, limitedBy
            }
        }
        struct NextCohort: Encodable {
            var at: String
            var source: String
            var drainsBefore: Bool
            var marginSeconds: Nullable<Double>
        }
        /// `reason` when unavailable; `state`, `assignor` and `list` when described (absent keys otherwise).
        struct Members: Encodable {
            var available: Bool
            var reason: String? = nil
            var state: String? = nil
            var assignor: String? = nil
            var list: [Member]? = nil
        }
        struct Member: Encodable {
            var memberID: String
            var clientID: String
            var host: String
            var partitions: [Int]
        }

        var group: String
        var topic: String
        var generatedAt: String
        var hasCommits: Bool
        var partitions: [Partition]
        var totals: Totals
        var throughput: Throughput
        var drainSeconds: Nullable<Double>
        var nextCohort: NextCohort
        var members: Members
    }
}

import Foundation
import Kafka

extension StatusReport {
    /// The report as one JSON object (keys sorted). Fields:
    /// `group`, `topic`, `generated_at`, `partitions` [`partition`, `committed` (null when
    /// none), `low`, `end`, `lag`, `completed_above_commit`], `totals` {`end`, `lag`,
    /// `completed_above_commit`}, `has_commits`, `throughput` {`records_per_second`,
    /// `rate` (null = unlimited), `rate_source`, `workers`, `workers_source`,
    /// `latency_s`, `latency_source`, `limited_by`}, `drain_seconds` (null = never),
    /// `next_cohort` {`at`, `source`, `drains_before`, `margin_seconds`}, `members`
    /// {`available`, `reason`?, `state`?, `list`? [`member_id`, `client_id`, `host`,
    /// `partitions`]}.
    public func renderJSON() -> String {
        let e = estimate
        let (drains, margin) = cohortCheck
        var members: [String: Any] = [:]
        switch self.members {
        case .unavailable(let reason):
            members = ["available": false, "reason": reason]
        case .described(let d):
            members = ["available": true, "state": d.state.rawValue, "assignor": d.partitionAssignor,
                       "list": d.members.map { m -> [String: Any] in
                           ["member_id": m.memberID, "client_id": m.clientID, "host": m.host,
                            "partitions": m.assignment.filter { $0.topic == status.topic }.map { Int($0.partition) }]
                       }]
        }
        let object: [String: Any] = [
            "group": status.groupID,
            "topic": status.topic,
            "generated_at": ISO8601Timestamp.format(milliseconds: nowMs),
            "has_commits": status.hasCommits,
            "partitions": status.partitions.map { p -> [String: Any] in
                ["partition": Int(p.topicPartition.partition), "committed": p.committed.map { $0 as Any } ?? NSNull(),
                 "low": p.low, "end": p.high, "lag": p.lag, "completed_above_commit": p.completedAboveCommit]
            },
            "totals": ["end": status.totalEnd, "lag": status.totalLag, "completed_above_commit": status.totalCompletedAboveCommit],
            "throughput": [
                "records_per_second": Self.finite(e.throughput), "rate": Self.finite(e.rate.value), "rate_source": e.rate.source,
                "workers": e.workers.value, "workers_source": e.workers.source,
                "latency_s": e.latencySeconds.value, "latency_source": e.latencySeconds.source, "limited_by": e.limitedBy,
            ] as [String: Any],
            "drain_seconds": Self.finite(e.seconds),
            "next_cohort": ["at": ISO8601Timestamp.format(milliseconds: nextCohortMs.value), "source": nextCohortMs.source,
                            "drains_before": drains, "margin_seconds": Self.finite(margin)] as [String: Any],
            "members": members,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    private static func finite(_ value: Double) -> Any {
        guard value.isFinite else { return NSNull() }
        return (value * 1000).rounded() / 1000
    }
}

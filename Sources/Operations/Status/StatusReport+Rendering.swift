import Foundation
import Kafka
import Planning

extension StatusReport {
    /// The report as text: a table per partition, totals, drain time, cohort, members.
    package func renderText() -> String {
        var out = "group \(status.groupID) on \(status.topic)\n"
        var table = TextTable(rightAligned: [0, 1, 2, 3, 4])
        table.add(["partition", "committed", "end", "lag", "done above commit"])
        for p in status.partitions {
            table.add([
                String(p.topicPartition.partition), p.committed.map(String.init) ?? "none", String(p.high),
                String(p.lag), p.foreignMetadata ? "foreign metadata" : p.completedAboveCommit > 0 ? String(p.completedAboveCommit) : "-",
            ])
        }
        table.add([
            "total", "", String(status.totalEnd), String(status.totalLag),
            status.totalCompletedAboveCommit > 0 ? String(status.totalCompletedAboveCommit) : "-",
        ])
        out += table.render() + "\n"
        if !status.hasCommits {
            out += "  (group \(status.groupID) has no committed offsets on \(status.topic): lag counts from the low watermark)\n"
        }
        let e = estimate
        out += "throughput: \(Self.number(e.throughput)) records/s = min(rate \(Self.rate(e.rate.value)) [\(e.rate.source)], "
        out += "workers \(e.workers.value) [\(e.workers.source)] / latency \(Self.number(e.latencySeconds.value)) s [\(e.latencySeconds.source)])"
        out += ", limited by \(e.limitedBy)\n"
        out += "time to drain: \(DurationText.format(seconds: e.seconds)) for \(status.totalLag) record(s)\n"
        out += "next cohort: \(cohortLine) [\(nextCohortMs.source)]\n"
        switch members {
        case .unavailable(let reason):
            out += "members: not available (\(reason))\n"
        case .described(let d):
            out += "members: \(d.members.count) (state \(d.state.rawValue)\(d.partitionAssignor.isEmpty ? "" : ", assignor \(d.partitionAssignor)"))\n"
            for m in d.members {
                let parts = m.assignment.filter { $0.topic == status.topic }.map { String($0.partition) }.joined(separator: ",")
                out += "  \(m.clientID) \(m.host) \(m.memberID): partitions [\(parts)]\n"
            }
        }
        return out
    }

    static func rate(_ value: Double) -> String { value == .infinity ? "unlimited" : number(value) }

    static func number(_ value: Double) -> String {
        guard value.isFinite else { return value > 0 ? "unlimited" : "?" }
        if value == value.rounded() && abs(value) < 1e15 { return String(Int64(value)) }
        return String(format: "%.2f", value)
    }
}

import Planning

extension ReplayPlan {
    /// The plan as a table: one line per partition and a total line.
    package func renderTable() -> String {
        var table = TextTable(rightAligned: [0, 1, 2, 4, 5])
        table.add(["partition", "committed", "target", "change", "low", "high", "note"])
        for p in partitions {
            var notes: [String] = []
            switch p.clamp {
            case .none: break
            case .toLow: notes.append("clamped: \(p.requested) is below the low watermark")
            case .toHigh: notes.append("clamped: \(p.requested) is past the high watermark")
            }
            if let method = p.method { notes.append(method) }
            if let meta = p.committedMetadata, let committed = p.committed {
                let done = CommitMetadataSummary.completedAbove(meta, committed: committed, end: p.high)
                if done > 0 { notes.append("drops \(done) completed-above-commit mark(s)") }
            }
            table.add([
                String(p.topicPartition.partition), p.committed.map(String.init) ?? "none", String(p.target),
                Self.change(p), String(p.low), String(p.high), notes.joined(separator: "; "),
            ])
        }
        var out = "replay of group \(groupID) on \(topic) to \(target)\n" + table.render() + "\n"
        out += "  total: \(partitions.count) partition(s), reprocess \(totalReprocess) record(s)"
        if totalSkip > 0 { out += ", skip \(totalSkip) record(s)" }
        if !untouched.isEmpty {
            out += "\n  left alone: partition(s) \(untouched.map { String($0.partition) }.joined(separator: ","))"
        }
        return out
    }

    static func change(_ p: Partition) -> String {
        if p.reprocess > 0 { return "reprocess \(p.reprocess)" }
        if p.skip > 0 { return "skip \(p.skip)" }
        return "none"
    }
}

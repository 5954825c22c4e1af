import Foundation
import Pipeline
import Settings
import Simulator

/// The end-of-run summary table, of `run` (results as the collector saw them) and of
/// `consume` (no collector: results as this member's pipeline counted them).
struct RunSummary {
    let pipelines: [RecommendationPipeline]
    let collector: ResultCollector?
    let total: Int
    let elapsed: Duration
    let settings: ServiceSettings
    let simulator: SimulatorStatistics?

    func render() -> String {
        let snaps = pipelines.map(\.statistics.snapshot)
        let calls = snaps.reduce(0) { $0 + $1.calls }
        let failed = snaps.reduce(0) { $0 + $1.failedCalls }
        let retries = snaps.reduce(0) { $0 + $1.retries }
        let latencies = snaps.flatMap(\.recentLatencies).sorted()
        func pct(_ p: Double) -> String {
            guard !latencies.isEmpty else { return "-" }
            return String(format: "%.3f s", latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))])
        }
        let seconds = elapsed.seconds
        let rate = Double(calls) / max(seconds, 0.001)
        let budget = settings.api.rateLimit.enabled ? String(format: "%.1f calls/s", settings.api.rateLimit.requestsPerSecond) : "off"
        var rows: [(String, String)] = [("records", "\(total)")]
        if let collector {
            rows.append(("recommended", "\(collector.recommended)"))
            for (cls, n) in collector.deadLetters.sorted(by: { $0.key < $1.key }) { rows.append(("dead-lettered: \(cls)", "\(n)")) }
            rows += [
                ("without a result", "\(total - collector.done)"),
                ("duplicate results", "\(collector.duplicates)"),
            ]
        } else {
            rows.append(("recommended", "\(snaps.reduce(0) { $0 + $1.ok })"))
            let letters = snaps.reduce(into: [String: Int]()) { all, s in
                for (cls, n) in s.deadLetters { all[cls.rawValue, default: 0] += n }
            }
            for (cls, n) in letters.sorted(by: { $0.key < $1.key }) { rows.append(("dead-lettered: \(cls)", "\(n)")) }
            rows.append(("skipped (done before)", "\(snaps.reduce(0) { $0 + $1.skipped })"))
        }
        rows += [
            ("API calls", "\(calls) (\(failed) failed, \(retries) retries)"),
            ("latency p50 / p95 / p99", "\(pct(0.5)) / \(pct(0.95)) / \(pct(0.99))"),
            ("time", String(format: "%.1f s", seconds)),
            ("effective rate", String(format: "%.2f calls/s", rate) + " (budget \(budget), \(settings.processing.maxWorkers) workers)"),
        ]
        if let simulator {
            rows.append(("simulator peak concurrency / rps", "\(simulator.peakConcurrency) / \(simulator.peakRPS)"))
        }
        let width = rows.map(\.0.count).max() ?? 0
        return
            (["summary", String(repeating: "-", count: width + 30)]
            + rows.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }).joined(separator: "\n")
    }
}

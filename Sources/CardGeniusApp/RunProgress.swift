import Foundation
import Pipeline
import Synchronization

/// The live progress line of `run`: done/total, calls/s, p95 latency, errors, ETA.
final class RunProgress: Sendable {
    let pipelines: [RecommendationPipeline]
    let collector: ResultCollector
    let total: Int
    let budgetRate: Double?
    let budgetWorkers: Int
    /// The line is drawn by the progress task and finished by the job once the group ends:
    /// a `Mutex` keeps the two from writing at once.
    private let line = Mutex(ProgressLine(enabled: true, label: "run"))

    init(pipelines: [RecommendationPipeline], collector: ResultCollector, total: Int, budgetRate: Double?, budgetWorkers: Int) {
        self.pipelines = pipelines
        self.collector = collector
        self.total = total
        self.budgetRate = budgetRate
        self.budgetWorkers = budgetWorkers
    }

    func run() async {
        let started = ContinuousClock.now
        var lastCalls = 0
        var last = started
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            let snaps = pipelines.map(\.statistics.snapshot)
            let calls = snaps.reduce(0) { $0 + $1.calls }
            let failed = snaps.reduce(0) { $0 + $1.failedCalls }
            let now = ContinuousClock.now
            let rate = Double(calls - lastCalls) / max(0.001, (now - last).seconds)
            lastCalls = calls
            last = now
            let latencies = snaps.flatMap(\.recentLatencies).sorted()
            let p95 = latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * 0.95))]
            let done = collector.done
            let elapsed = (now - started).seconds
            let eta = done > 0 ? elapsed / Double(done) * Double(total - done) : .nan
            let text =
                String(
                    format: "%d/%d done (%.0f%%), %.1f calls/s, p95 %.2fs, errors %.1f%%, ETA ",
                    done, total, Double(done) * 100 / Double(max(total, 1)), rate, p95,
                    calls > 0 ? Double(failed) * 100 / Double(calls) : 0) + ProgressLine.duration(eta)
            line.withLock { $0.draw(text) }
        }
    }

    func finish() { line.withLock { $0.finish() } }
}

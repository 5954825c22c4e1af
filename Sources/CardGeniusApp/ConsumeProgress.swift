import Foundation
import Logging
import Pipeline
import ServiceLifecycle

/// The progress of `consume`, as a `Service`: on a terminal a live line (lag, done,
/// calls/s, p95, error %, ETA to drain) rewritten every second; off a terminal a log line
/// every `interval`. It runs until graceful shutdown, so it reports through the drain.
struct ConsumeProgress: Service {
    let pipeline: RecommendationPipeline
    let interval: Duration
    let logger: Logger
    let tty: Bool

    init(
        pipeline: RecommendationPipeline, interval: Duration, logger: Logger,
        tty: Bool = isatty(STDERR_FILENO) != 0
    ) {
        self.pipeline = pipeline
        self.interval = interval
        self.logger = logger
        self.tty = tty
    }

    /// One report's figures.
    struct Figures {
        var lag: Int?
        var done: Int
        var callsPerSecond: Double
        var p95: Double?
        var errorPercent: Double
        var eta: Double?

        /// `lag 120, 3400 done, 9.8 calls/s, p95 1.62s, errors 0.3%, ETA 12s`
        var text: String {
            var parts = [
                "lag \(lag.map(String.init) ?? "?")", "\(done) done", String(format: "%.1f calls/s", callsPerSecond),
                "p95 " + (p95.map { String(format: "%.2fs", $0) } ?? "-"), String(format: "errors %.1f%%", errorPercent),
            ]
            parts.append("ETA " + (lag == 0 ? "0s" : eta.map(ProgressLine.duration) ?? "?"))
            return parts.joined(separator: ", ")
        }

        var metadata: Logger.Metadata {
            var m: Logger.Metadata = [
                "done": "\(done)", "calls_per_s": "\(String(format: "%.2f", callsPerSecond))",
                "errors_pct": "\(String(format: "%.2f", errorPercent))",
            ]
            if let lag { m["lag"] = "\(lag)" }
            if let p95 { m["p95_s"] = "\(String(format: "%.3f", p95))" }
            if let eta { m["eta_s"] = "\(Int(eta.rounded()))" }
            return m
        }
    }

    func run() async {
        let line = ProgressLine(enabled: tty, label: "consume")
        let every: Duration = tty ? .seconds(1) : interval
        var last = (at: ContinuousClock.now, calls: 0, failed: 0)
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: every) }
            } catch {
                break
            }
            let figures = measure(since: &last)
            if tty {
                line.draw(figures.text, force: true)
            } else {
                logger.info("progress", metadata: figures.metadata)
            }
        }
        line.finish()
    }

    /// Figures since the previous report (rates) and overall (done, lag).
    func measure(since last: inout (at: ContinuousClock.Instant, calls: Int, failed: Int)) -> Figures {
        let s = pipeline.statistics.snapshot
        let health = pipeline.health
        let now = ContinuousClock.now
        let seconds = max(0.001, (now - last.at).seconds)
        let calls = s.calls - last.calls
        let failed = s.failedCalls - last.failed
        last = (now, s.calls, s.failedCalls)
        return Figures(
            lag: health.lag, done: s.completed, callsPerSecond: Double(calls) / seconds,
            p95: s.latencyPercentile(0.95), errorPercent: calls > 0 ? Double(failed) * 100 / Double(calls) : 0,
            eta: health.lagSeconds)
    }
}

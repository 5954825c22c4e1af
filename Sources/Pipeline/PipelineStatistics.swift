import Logging
import Synchronization

/// Counts and latencies for progress lines and the end-of-run summary.
package final class PipelineStatistics: Sendable {
    /// How a record ended.
    package enum Ending: Sendable, Hashable {
        case ok
        case deadLetter(DeadLetterClass)
    }

    /// A consistent copy of the figures.
    package struct Snapshot: Sendable {
        package var taken = 0
        package var skipped = 0
        package var ok = 0
        package var deadLetters: [DeadLetterClass: Int] = [:]
        package var calls = 0
        package var failedCalls = 0
        package var retries = 0
        /// The most recent call latencies (seconds), at most 2048, in no particular order.
        package var recentLatencies: [Double] = []
        var latencyCursor = 0
        package var completed: Int { ok + deadLetters.values.reduce(0, +) }

        /// A latency percentile over the recent calls, in seconds.
        package func latencyPercentile(_ p: Double) -> Double? {
            guard !recentLatencies.isEmpty else { return nil }
            let sorted = recentLatencies.sorted()
            let index = min(sorted.count - 1, max(0, Int((Double(sorted.count) * p).rounded(.up)) - 1))
            return sorted[index]
        }
    }

    private let state = Mutex(Snapshot())
    private static let latencyWindow = 2048

    package init() {}

    package var snapshot: Snapshot { state.withLock { $0 } }

    func taken(_ n: Int, skipped: Int) {
        state.withLock {
            $0.taken += n
            $0.skipped += skipped
        }
    }

    func completed(_ ending: Ending, attempts: Int) {
        state.withLock { s in
            switch ending {
            case .ok: s.ok += 1
            case .deadLetter(let c): s.deadLetters[c, default: 0] += 1
            }
        }
    }

    func call(latency: Duration, ok: Bool) {
        state.withLock { s in
            s.calls += 1
            if !ok { s.failedCalls += 1 }
            // A ring of the newest 2048: no shifting of the whole array on every call.
            if s.recentLatencies.count < Self.latencyWindow {
                s.recentLatencies.append(latency.seconds)
            } else {
                s.recentLatencies[s.latencyCursor] = latency.seconds
            }
            s.latencyCursor = (s.latencyCursor + 1) % Self.latencyWindow
        }
    }

    func retried() { state.withLock { $0.retries += 1 } }

    func summaryMetadata() -> Logger.Metadata {
        let s = snapshot
        return [
            "ok": "\(s.ok)", "dead_letters": "\(s.deadLetters.values.reduce(0, +))", "skipped": "\(s.skipped)",
            "calls": "\(s.calls)", "failed_calls": "\(s.failedCalls)", "retries": "\(s.retries)",
        ]
    }
}

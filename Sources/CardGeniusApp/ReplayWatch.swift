import Foundation
import Kafka
import Logging
import Operations

/// `replay --watch`: follows the group's committed offsets (read without joining) from the
/// reset targets to the high watermarks recorded at reset time.
package struct ReplayWatch {
    let executor: ReplayExecutor
    let plan: ReplayPlan
    /// Seconds between lines off a terminal.
    let interval: Double
    let logger: Logger

    package init(executor: ReplayExecutor, plan: ReplayPlan, interval: Double, logger: Logger) {
        self.executor = executor
        self.plan = plan
        self.interval = interval
        self.logger = logger
    }

    package func run() async throws {
        var progress = ReplayProgress(plan: plan)
        let partitions = plan.partitions.map(\.topicPartition)
        let tty = isatty(STDERR_FILENO) != 0
        let line = ProgressLine(enabled: true, label: "replay")
        let started = ContinuousClock.now
        var lastLine = started - .seconds(3600)
        let reader = try GroupOffsets(executor.access, groupID: executor.groupID)
        defer { line.finish() }
        while true {
            let committed: [KafkaTopicPartition: Int64]
            do {
                committed = try await reader.committed(partitions).mapValues(\.offset)
            } catch {
                logger.warning("reading committed offsets: \(error)")
                try await Task.sleep(for: .seconds(2))
                continue
            }
            let elapsed = ContinuousClock.now - started
            let snapshot = progress.update(committed: committed, at: elapsed.seconds)
            let now = ContinuousClock.now
            if snapshot.isComplete || tty || now - lastLine >= .milliseconds(Int64(interval * 1000)) {
                line.draw(Self.text(snapshot, committed: committed, progress: progress), force: true)
                lastLine = now
            }
            if snapshot.isComplete { break }
            try await Task.sleep(for: tty ? .seconds(1) : .milliseconds(Int64(min(interval, 2) * 1000)))
        }
        await reader.close()
        line.finish()
        print("replay complete: group \(executor.groupID) reached the end recorded at reset time on \(plan.partitions.count) partition(s)")
    }

    static func text(_ s: ReplayProgress.Snapshot, committed: [KafkaTopicPartition: Int64], progress: ReplayProgress) -> String {
        let committedSum = progress.spans.map { committed[$0.topicPartition] ?? $0.start }.reduce(0, +)
        let endSum = progress.spans.map(\.end).reduce(0, +)
        var text = "committed \(committedSum)/\(endSum), \(s.done)/\(s.total) redone, \(s.finishedPartitions)/\(s.partitions) partitions done"
        if let rate = s.rate { text += String(format: ", %.1f rec/s", rate) }
        if let eta = s.etaSeconds { text += ", ETA " + DurationText.format(seconds: eta) } else { text += ", ETA ?" }
        return text
    }
}

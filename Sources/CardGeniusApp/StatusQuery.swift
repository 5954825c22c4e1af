import Foundation
import Kafka
import Logging
import Operations
import Planning
import Settings

/// The query behind `status`: a consumer group's committed offsets and lag on a topic (read
/// without joining the group), the time to drain it and whether that is before the next
/// cohort, and the group's members where the broker describes them.
package struct StatusQuery {
    /// What the flags say instead of the settings; nil where a flag was not given.
    package struct Overrides: Sendable {
        package var rate: Double?
        package var workers: Int?
        package var latency: Double?
        package var metricsURL: URL?
        package var nextCohortMs: Int64?

        package init() {}
    }

    package var settings: ServiceSettings
    package var overrides: Overrides
    package var topic: String
    package var group: String
    package var logger: Logger

    package init(settings: ServiceSettings, overrides: Overrides, topic: String, group: String, logger: Logger) {
        self.settings = settings
        self.overrides = overrides
        self.topic = topic
        self.group = group
        self.logger = logger
    }

    /// Reads the group's position and estimates the drain; throws ``StartupError`` with the
    /// line `status` prints when the brokers, the topic or `--metrics-url` fail it.
    package func report() async throws -> StatusReport {
        let scanner = TopicScanner(KafkaAccess(settings, logger: logger))
        let reader: GroupOffsets
        do {
            reader = try GroupOffsets(
                KafkaAccess(settings, logger: logger),
                groupID: group)
        } catch {
            throw StartupError("status: \(StartupError.describe(error))")
        }
        let ranges: [PartitionRange]
        let committed: [KafkaTopicPartition: KafkaPartitionOffset]
        do {
            try await reader.requireTopic(topic)
            ranges = try await scanner.partitions(of: topic)
            committed = try await reader.committed(ranges.map(\.topicPartition))
            await reader.close()
        } catch let error as KafkaError where error.code == .unknownTopicOrPartition {
            await reader.close()
            throw StartupError("status: topic \(topic) does not exist at \(settings.kafka.bootstrapServers)")
        } catch {
            await reader.close()
            throw StartupError("status: cannot read topic \(topic) and group \(group) at \(settings.kafka.bootstrapServers): \(StartupError.describe(error))")
        }
        let status = GroupStatus(topic: topic, groupID: group, ranges: ranges, committed: committed)

        let rate: DrainEstimate.Figure<Double>
        if let r = overrides.rate {
            rate = .init(r, source: "--rate")
        } else if settings.api.rateLimit.enabled {
            rate = .init(settings.api.rateLimit.requestsPerSecond, source: "api.rate_limit.requests_per_second")
        } else {
            rate = .init(.infinity, source: "api.rate_limit.enabled = false")
        }
        let workers: DrainEstimate.Figure<Int> =
            overrides.workers.map { .init($0, source: "--workers") }
            ?? .init(settings.processing.maxWorkers, source: "processing.max_workers")
        var latency = DrainEstimate.Figure<Double>(1.5, source: "default (the spec's 1.5 s)")
        if let l = overrides.latency {
            latency = .init(l, source: "--latency-s")
        } else if let url = overrides.metricsURL {
            do {
                let observed = try await ObservedMetrics.fetch(from: url, timeout: 5)
                if let mean = observed.meanLatencySeconds, mean > 0 {
                    latency = .init(mean, source: "observed mean at \(url.absoluteString)")
                } else {
                    latency.source += "; \(url.absoluteString) has no latency observations"
                }
            } catch {
                throw StartupError("status: --metrics-url: \(error)")
            }
        }
        let estimate = DrainEstimate(lag: status.totalLag, rate: rate, workers: workers, latencySeconds: latency)
        let nowMs = Int64((Date().timeIntervalSince1970 * 1000).rounded())
        let cohort: DrainEstimate.Figure<Int64> =
            overrides.nextCohortMs.map { .init($0, source: "--next-cohort") }
            ?? .init(CohortSchedule.nextMonday(after: nowMs), source: "next Monday 00:00 UTC")
        let members: StatusReport.Members
        switch await GroupDescriber(KafkaAccess(settings, logger: logger)).describe(group) {
        case .described(let d): members = .described(d)
        case .unavailable(let reason): members = .unavailable(reason: reason)
        }
        return StatusReport(status: status, estimate: estimate, nowMs: nowMs, nextCohortMs: cohort, members: members)
    }
}

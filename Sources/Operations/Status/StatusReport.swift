import Kafka

/// Everything `cardgenius status` prints: the group's position, the drain estimate against
/// the next weekly cohort, and the members where the broker can list them.
package struct StatusReport: Sendable {
    /// The members, or why they are not known.
    package enum Members: Sendable, Hashable {
        case described(KafkaConsumerGroupDescription)
        case unavailable(reason: String)
    }

    package var status: GroupStatus
    package var estimate: DrainEstimate
    /// When the report was made, milliseconds since the epoch.
    package var nowMs: Int64
    /// The next cohort's arrival and where that came from.
    package var nextCohortMs: DrainEstimate.Figure<Int64>
    package var members: Members

    package init(status: GroupStatus, estimate: DrainEstimate, nowMs: Int64, nextCohortMs: DrainEstimate.Figure<Int64>, members: Members) {
        self.status = status
        self.estimate = estimate
        self.nowMs = nowMs
        self.nextCohortMs = nextCohortMs
        self.members = members
    }

    /// Whether the backlog drains before the next cohort, and by how much (seconds).
    package var cohortCheck: (drains: Bool, marginSeconds: Double) {
        estimate.drains(nowMs: nowMs, beforeMs: nextCohortMs.value)
    }

    /// The cohort line: "drains 3 h 12 min before the next cohort (2026-11-30T00:00Z)" or a warning.
    package var cohortLine: String {
        let at = ISO8601Timestamp.formatMinutes(milliseconds: nextCohortMs.value)
        let (ok, margin) = cohortCheck
        if ok {
            return "drains \(DurationText.format(seconds: margin)) before the next cohort (\(at))"
        }
        if nextCohortMs.value <= nowMs {
            return "WARNING: the next cohort (\(at)) is not in the future"
        }
        return "WARNING: does not drain before the next cohort (\(at)): needs \(DurationText.format(seconds: estimate.seconds)), "
            + "\(DurationText.format(seconds: Double(nextCohortMs.value - nowMs) / 1000)) left"
    }
}

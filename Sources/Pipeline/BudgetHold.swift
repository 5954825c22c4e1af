/// Why a member that owns input partitions holds them at a zero share of the group's
/// budgets, rather than take a share nobody gave it.
package struct BudgetHold: Sendable, Equatable, CustomStringConvertible {
    /// What keeps the share at zero.
    package enum Cause: String, Sendable {
        /// None of the member's partitions carries a share (more members own partitions
        /// than the budgets have slots or whole burst calls).
        case starved
        /// The input topic's partition count could not be read (or is older than an owned
        /// partition): the member cannot tell its fraction, so it takes none.
        case partitionCountUnknown = "partition-count-unknown"
    }

    /// What keeps the share at zero.
    package var cause: Cause
    /// The log line and `/readyz` reason: the cause and the fix.
    package var message: String

    package var description: String { message }

    /// The hold for `share`, or nil when the member has a share or owns nothing.
    init?(share: BudgetShare, owned: [Int32], maxWorkers: Int, burst: Double, rateEnabled: Bool, topic: String) {
        guard !owned.isEmpty, share.maxInFlight == 0 else { return nil }
        let partitions = "[\(owned.sorted().map(String.init).joined(separator: ", "))]"
        guard share.total > 0 else {
            cause = .partitionCountUnknown
            message =
                "holding partitions \(partitions) of \(topic) at a zero share of the budgets: the topic's partition count "
                + "is unknown (the broker did not answer a metadata request); asking again every "
                + "\(RecommendationPipeline.lagInterval.components.seconds) s"
            return
        }
        cause = .starved
        // Which budget runs out of carriers first names the fix.
        let byBurst = rateEnabled && share.carriers < min(maxWorkers, share.total)
        let setting = byBurst ? "api.rate_limit.burst" : "processing.max_workers"
        let budget = byBurst ? "\(Int(min(max(burst, 0), Double(Int32.max))))" : "\(maxWorkers)"
        let unit = byBurst ? "whole calls of burst" : "slots"
        message =
            "share of \(setting) is 0: this member owns partitions \(partitions) of \(share.total) of \(topic), "
            + "but the budget is \(budget) \(unit), carried by partitions 0..<\(share.carriers) only, so more members own "
            + "partitions than there are \(unit); holding the partitions: run at most \(share.carriers) members or raise \(setting)"
    }
}

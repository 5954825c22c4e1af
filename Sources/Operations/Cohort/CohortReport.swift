import Foundation
import Pipeline

/// The outcome of `cardgenius report` for one cohort.
package struct CohortReport: Sendable, Hashable {
    package var cohort: String
    /// Distinct users (keys) published to the input topic.
    package var usersPublished: Int
    /// Input records of the cohort.
    package var recordsPublished: Int
    /// Distinct users with a recommendation on the output topic.
    package var usersRecommended: Int
    /// Output records of the cohort.
    package var recommendationRecords: Int
    /// Distinct dead-lettered users by `error.class`.
    package var deadLetteredUsers: [String: Int]
    /// Distinct dead-lettered users, over every class.
    package var usersDeadLettered: Int
    /// Published users with neither a recommendation nor a dead letter.
    package var pending: Int
    /// Some of them (sorted, at most 20).
    package var pendingSample: [String]
    /// Topics whose oldest records are gone (low watermark above 0): the tally covers only what is retained.
    package var truncatedTopics: [String] = []
    /// Records read over the three topics.
    package var scanned = 0

    package init(
        cohort: String, usersPublished: Int, recordsPublished: Int, usersRecommended: Int,
        recommendationRecords: Int, deadLetteredUsers: [String: Int], usersDeadLettered: Int,
        pending: Int, pendingSample: [String]
    ) {
        self.cohort = cohort
        self.usersPublished = usersPublished
        self.recordsPublished = recordsPublished
        self.usersRecommended = usersRecommended
        self.recommendationRecords = recommendationRecords
        self.deadLetteredUsers = deadLetteredUsers
        self.usersDeadLettered = usersDeadLettered
        self.pending = pending
        self.pendingSample = pendingSample
    }

    /// The exit status scripts gate on: 0 when nothing is pending, 3 otherwise.
    package var exitStatus: Int32 { pending == 0 ? 0 : 3 }

    /// One JSON object (sorted keys).
    package func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(self)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// A two-column table, then the pending users.
    package func table() -> String {
        var rows: [(String, String)] = [
            ("cohort", cohort),
            ("users published", String(usersPublished)),
            ("records published", String(recordsPublished)),
            ("users recommended", String(usersRecommended)),
            ("recommendation records", String(recommendationRecords)),
            ("users dead-lettered", String(usersDeadLettered)),
        ]
        let known = DeadLetterClass.allCases.map(\.rawValue)
        for name in known + deadLetteredUsers.keys.filter({ !known.contains($0) }).sorted() {
            rows.append(("  \(name)", String(deadLetteredUsers[name] ?? 0)))
        }
        rows.append(("users pending", String(pending)))
        let width = rows.map(\.0.count).max() ?? 0
        var out = rows.map { $0.0 + String(repeating: " ", count: width - $0.0.count) + "  " + $0.1 }.joined(separator: "\n") + "\n"
        if !pendingSample.isEmpty {
            out +=
                "pending users" + (pending > pendingSample.count ? " (first \(pendingSample.count) of \(pending))" : "")
                + ": " + pendingSample.joined(separator: ", ") + "\n"
        }
        return out
    }
}

extension CohortReport: Encodable {
    /// The JSON names of ``json()``.
    enum CodingKeys: String, CodingKey {
        case cohort
        case usersPublished = "users_published"
        case recordsPublished = "records_published"
        case usersRecommended = "users_recommended"
        case recommendationRecords = "recommendation_records"
        case usersDeadLettered = "users_dead_lettered"
        case deadLetteredUsers = "dead_lettered_by_class"
        case pending
        case pendingSample = "pending_sample"
        case truncatedTopics = "truncated_topics"
        case scanned = "records_scanned"
    }
}

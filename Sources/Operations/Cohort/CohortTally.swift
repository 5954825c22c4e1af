import Foundation
import Kafka
import Pipeline

/// Counts one cohort's users across the input, output and dead-letter topics (the load
/// spec's "verify all users processed"). A record belongs to the cohort by its `cohort`
/// header, else the `cohort` field of its JSON value.
package struct CohortTally: Sendable {
    /// The cohort counted.
    package let cohort: String
    private(set) var published = Set<String>()
    private(set) var publishedRecords = 0
    private(set) var recommended = Set<String>()
    private(set) var recommendationRecords = 0
    private(set) var deadLettered: [String: Set<String>] = [:]

    package init(cohort: String) { self.cohort = cohort }

    /// Counts an input record (user = key).
    package mutating func addInput(_ record: KafkaRecord) {
        guard belongs(record), let user = Self.user(of: record) else { return }
        publishedRecords += 1
        published.insert(user)
    }

    /// Counts an output record (user = key, else the value's `user_id`).
    package mutating func addOutput(_ record: KafkaRecord) {
        guard belongs(record), let user = Self.user(of: record) else { return }
        recommendationRecords += 1
        recommended.insert(user)
    }

    /// Counts a dead letter under its `error.class` (`unknown` without one).
    package mutating func addDeadLetter(_ record: KafkaRecord) {
        guard belongs(record), let user = Self.user(of: record) else { return }
        let name =
            record.headers.string(RecordHeader.errorClass).flatMap(DeadLetterClass.init(rawValue:))?.rawValue
            ?? RedriveSummary.unknownClass
        deadLettered[name, default: []].insert(user)
    }

    /// The report, listing up to `sampleLimit` pending users (sorted).
    package func report(sampleLimit: Int = 20) -> CohortReport {
        var pending = published.subtracting(recommended)
        for users in deadLettered.values { pending.subtract(users) }
        var byClass = Dictionary(uniqueKeysWithValues: DeadLetterClass.allCases.map { ($0.rawValue, 0) })
        for (name, users) in deadLettered { byClass[name] = users.count }
        return CohortReport(
            cohort: cohort, usersPublished: published.count, recordsPublished: publishedRecords,
            usersRecommended: recommended.count, recommendationRecords: recommendationRecords,
            deadLetteredUsers: byClass, usersDeadLettered: deadLettered.values.reduce(into: Set<String>()) { $0.formUnion($1) }.count,
            pending: pending.count, pendingSample: Array(pending.sorted().prefix(sampleLimit)))
    }

    private func belongs(_ record: KafkaRecord) -> Bool {
        if let header = record.headers.string(RecordHeader.cohort) { return header == cohort }
        return Self.field(.cohort, of: record) == cohort
    }

    private static func user(of record: KafkaRecord) -> String? {
        if let key = record.keyString, !key.isEmpty { return key }
        return field(.userID, of: record)
    }

    /// The `cohort` or `user_id` of the record's JSON value, when it is a string.
    private static func field(_ key: RecordKeys.CodingKeys, of record: KafkaRecord) -> String? {
        guard let value = record.value, let keys = try? JSONDecoder().decode(RecordKeys.self, from: Data(value)) else {
            return nil
        }
        return key == .cohort ? keys.cohort : keys.userID
    }

    /// The two string fields a record is counted by; a field of another type reads as absent.
    private struct RecordKeys: Decodable {
        var cohort: String?
        var userID: String?

        enum CodingKeys: String, CodingKey {
            case cohort
            case userID = "user_id"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            cohort = (try? container.decodeIfPresent(String.self, forKey: .cohort)) ?? nil
            userID = (try? container.decodeIfPresent(String.self, forKey: .userID)) ?? nil
        }
    }
}

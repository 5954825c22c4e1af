import Foundation
import Kafka
import KafkaTestSupport
import Testing

// Helpers for the export, redrive, report and Python example suites: output records and
// dead letters as the pipeline writes them (docs/output-contract.md), published with headers.

enum Downstream {
    /// One card of `savings`.
    struct Card {
        var id: Int
        var name: String
        var yearly: Double
        var roi: Double

        var json: String {
            let nameJSON = String(decoding: try! JSONSerialization.data(withJSONObject: name, options: [.fragmentsAllowed]), as: UTF8.self)
            return #"{"id":\#(id),"card_name":\#(nameJSON),"total_savings_yearly":\#(Self.number(yearly)),"roi":\#(Self.number(roi)),"joining_fee":0}"#
        }

        static func number(_ d: Double) -> String { d == d.rounded() ? String(Int(d)) : String(d) }
    }

    /// An output record value (schema v1), as the pipeline writes it.
    static func outputValue(
        user: String, cohort: String?, partition: Int = 0, offset: Int = 0,
        processedAt: String = "2026-11-29T06:30:56.376Z", cards: [Card]
    ) -> String {
        let cohortJSON = cohort.map { "\"\($0)\"" } ?? "null"
        return
            #"{"schema_version":1,"user_id":"\#(user)","cohort":\#(cohortJSON),"source":{"topic":"user-spends","partition":\#(partition),"offset":\#(offset)},"processed_at":"\#(processedAt)","attempts":1,"api_latency_ms":12,"savings":[\#(cards.map(\.json).joined(separator: ","))]}"#
    }

    /// An output record: key = user, headers cohort and content-type.
    static func output(topic: String, user: String, cohort: String, value: String, partition: Int32? = nil) -> KafkaProducerRecord {
        KafkaProducerRecord(
            topic: topic, partition: partition, key: Array(user.utf8), value: Array(value.utf8),
            headers: [KafkaHeader(name: "cohort", string: cohort), KafkaHeader(name: "content-type", string: "application/json")])
    }

    /// An input record value.
    static func inputValue(user: String, cohort: String) -> String { DeadLetterFixture.inputValue(user: user, cohort: cohort) }

    /// An input record: key = user, cohort header.
    static func input(topic: String, user: String, cohort: String, value: String? = nil) -> KafkaProducerRecord {
        KafkaProducerRecord(
            topic: topic, key: Array(user.utf8), value: Array((value ?? inputValue(user: user, cohort: cohort)).utf8),
            headers: [KafkaHeader(name: "cohort", string: cohort)])
    }

    /// A dead letter: the input record's key, value and cohort, plus the pipeline's headers.
    static func deadLetter(
        topic: String, user: String, cohort: String, errorClass: String, partition: Int32? = nil,
        value: String? = nil, sourceOffset: Int = 0
    ) -> KafkaProducerRecord {
        DeadLetterFixture.record(
            topic: topic, user: user, cohort: cohort, errorClass: errorClass, partition: partition, value: value,
            sourceOffset: sourceOffset)
    }

    /// Publishes `records` in order and waits for every acknowledgement.
    static func publish(_ bootstrap: String, _ records: [KafkaProducerRecord]) async throws {
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: bootstrap), logger: CLI.logger())
        var failure: (any Error)?
        for result in try await producer.sendBatch(records) {
            if case .failure(let error) = result { failure = error }
        }
        await producer.close()
        if let failure { throw failure }
    }

    /// Every record of `topic` (the topic holds exactly what the test wrote), sorted by partition and offset.
    static func all(_ bootstrap: String, topic: String) async throws -> [KafkaRecord] {
        let count = try await TopicCount.records(bootstrap, topic: topic)
        guard count > 0 else { return [] }
        let records = try await TestKafka.read(bootstrap, topic: topic, count: Int(count))
        #expect(records.count == Int(count), "read \(records.count) of \(count) records of \(topic)")
        return records.sorted { ($0.partition, $0.offset) < ($1.partition, $1.offset) }
    }

    /// The `export: records=N users=N rows=N skipped=N filtered=N` summary of stderr, as name → value.
    static func exportSummary(_ stderr: String) -> [String: Int]? {
        guard let line = stderr.split(separator: "\n").last(where: { $0.hasPrefix("export: records=") }) else { return nil }
        var out: [String: Int] = [:]
        for part in line.split(separator: " ") {
            let kv = part.split(separator: "=")
            if kv.count == 2, let v = Int(kv[1]) { out[String(kv[0])] = v }
        }
        return out
    }
}

extension Finished {
    /// The redrive table rows of stdout, as class → (seen, redriven, skipped).
    var redriveTable: [String: [Int]] {
        var out: [String: [Int]] = [:]
        for line in stdoutLines {
            let parts = line.split(separator: " ").map(String.init)
            guard parts.count == 4, let a = Int(parts[1]), let b = Int(parts[2]), let c = Int(parts[3]) else { continue }
            out[parts[0]] = [a, b, c]
        }
        return out
    }
}

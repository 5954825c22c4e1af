import Foundation
import Kafka
import Operations
import Pipeline
import Testing

@Suite("redrive: class selection, lineage headers, summary table")
struct RedriveLogicTests {
    @Test("no --class selects every class; names are validated against DeadLetterClass")
    func selection() throws {
        #expect(try RedriveSelection(classNames: []).classes == DeadLetterClass.allCases)
        let one = try RedriveSelection(classNames: ["api-rejected", "api-rejected"])
        #expect(one.classes == [.apiRejected])
        #expect(one.groupID(for: .apiRejected) == "cardgenius-redrive.api-rejected")
        #expect(
            try RedriveSelection(classNames: ["retries-exhausted", "invalid-record"], groupPrefix: "g").classes
                == [.invalidRecord, .retriesExhausted])
        #expect(throws: OperationError.self) { try RedriveSelection(classNames: ["api-rejected", "timeout"]) }
        do {
            _ = try RedriveSelection(classNames: ["timeout"])
        } catch {
            let message = error.message
            #expect(message.contains(#"--class "timeout""#))
            #expect(message.contains("invalid-record, api-rejected, retries-exhausted"))
        }
    }

    @Test("a republished record keeps key, value and cohort, drops the dead-letter headers, adds redrive.from/at")
    func lineage() {
        let deadLetter = KafkaRecord(
            topicPartition: KafkaTopicPartition(topic: "user-spends.dlq", partition: 2), offset: 17,
            key: Array("u-1".utf8), value: Array(#"{"user_id":"u-1"}"#.utf8),
            headers: [
                KafkaHeader(name: RecordHeader.cohort, string: "2026-W48"),
                KafkaHeader(name: "trace", string: "abc"),
                KafkaHeader(name: RecordHeader.redriveFrom, string: "user-spends.dlq/0/1"),
                KafkaHeader(name: RecordHeader.errorClass, string: "api-rejected"),
                KafkaHeader(name: RecordHeader.errorMessage, string: "no"),
                KafkaHeader(name: RecordHeader.errorAttempts, string: "1"),
                KafkaHeader(name: RecordHeader.sourceTopic, string: "user-spends"),
                KafkaHeader(name: RecordHeader.sourcePartition, string: "0"),
                KafkaHeader(name: RecordHeader.sourceOffset, string: "3"),
                KafkaHeader(name: RecordHeader.failedAt, string: "2026-11-29T00:00:00.000Z"),
            ])
        let out = RedriveLineage.republished(deadLetter, to: "user-spends", at: Date(timeIntervalSince1970: 1_795_000_000.25))
        #expect(out.topic == "user-spends")
        #expect(out.partition == nil)
        #expect(out.key == deadLetter.key)
        #expect(out.value == deadLetter.value)
        #expect(out.headers.map(\.name) == ["cohort", "trace", "redrive.from", "redrive.at"])
        #expect(out.headers.string("cohort") == "2026-W48")
        #expect(out.headers.string("redrive.from") == "user-spends.dlq/2/17")
        #expect(out.headers.string("redrive.at") == "2026-11-18T11:06:40.250Z")
    }

    @Test("the summary table has a row per class and a total")
    func table() {
        var s = RedriveSummary(dryRun: false)
        s.byClass["api-rejected"] = {
            var c = RedriveSummary.Counts()
            c.seen = 3
            c.redriven = 2
            c.skipped = 1
            return c
        }()
        let lines = s.table().split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(lines.first == ["class", "seen", "redriven", "skipped"])
        #expect(lines.contains(["api-rejected", "3", "2", "1"]))
        #expect(lines.contains(["invalid-record", "0", "0", "0"]))
        #expect(lines.last == ["total", "3", "2", "1"])
    }
}

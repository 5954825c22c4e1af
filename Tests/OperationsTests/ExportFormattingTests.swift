import Foundation
import Kafka
import Operations
import Testing

@Suite("export: parsing output records and writing CSV rows")
struct ExportFormattingTests {
    static let value =
        #"{"schema_version":1,"user_id":"u-1","cohort":"2026-W48","source":{"topic":"user-spends","partition":3,"offset":1841},"processed_at":"2026-11-29T06:30:56.376Z","attempts":1,"api_latency_ms":12,"savings":[{"id":1353,"card_name":"Gold, \"Plus\"","total_savings_yearly":48250,"roi":41.2,"extra":true},{"id":7,"card_name":"Plain","total_savings_yearly":100.5,"roi":-3}]}"#

    @Test("a schema v1 value parses into its CSV fields")
    func parsesSchemaV1() throws {
        let r = try ExportedRecommendation(value: Array(Self.value.utf8))
        #expect(r.userID == "u-1")
        #expect(r.cohort == "2026-W48")
        #expect(r.processedAt == "2026-11-29T06:30:56.376Z")
        #expect(r.sourcePartition == "3")
        #expect(r.sourceOffset == "1841")
        #expect(
            r.cards == [
                .init(id: "1353", name: #"Gold, "Plus""#, totalSavingsYearly: "48250", roi: "41.2"),
                .init(id: "7", name: "Plain", totalSavingsYearly: "100.5", roi: "-3"),
            ])
    }

    @Test("CSV rows: one per card, rank from 1, RFC 4180 quoting, CRLF")
    func csvRows() throws {
        let r = try ExportedRecommendation(value: Array(Self.value.utf8))
        let rows = RecommendationCSV.rows(r, cohort: "2026-W48")
        #expect(
            rows == [
                #"u-1,2026-W48,1,1353,"Gold, ""Plus""",48250,41.2,2026-11-29T06:30:56.376Z,3,1841"# + "\r\n",
                "u-1,2026-W48,2,7,Plain,100.5,-3,2026-11-29T06:30:56.376Z,3,1841\r\n",
            ])
        #expect(RecommendationCSV.header == "user_id,cohort,rank,card_id,card_name,total_savings_yearly,roi,processed_at,source_partition,source_offset\r\n")
    }

    @Test("a user without cards gets one row with empty card fields")
    func emptySavings() throws {
        let value =
            #"{"schema_version":1,"user_id":"u,2","cohort":null,"source":{"topic":"t","partition":0,"offset":5},"processed_at":"x","attempts":1,"api_latency_ms":1,"savings":[]}"#
        let r = try ExportedRecommendation(value: Array(value.utf8))
        #expect(r.cohort == nil)
        #expect(RecommendationCSV.rows(r, cohort: nil) == [#""u,2",,,,,,,x,0,5"# + "\r\n"])
    }

    @Test("fields of other JSON types become text: booleans 1 and 0, objects and arrays as JSON with sorted keys")
    func otherTypesAsText() throws {
        let value =
            #"{"schema_version":1,"user_id":"u","processed_at":true,"source":{"partition":{"b":"x/y","a":[1,2.5]},"offset":12345678901234567890},"savings":[{"id":"c/1","card_name":null,"roi":false}]}"#
        let r = try ExportedRecommendation(value: Array(value.utf8))
        #expect(r.processedAt == "1")
        #expect(r.sourcePartition == #"{"a":[1,2.5],"b":"x\/y"}"#)
        #expect(r.sourceOffset == "1.2345678901234567e+19")
        #expect(r.cards == [.init(id: "c/1", name: "", totalSavingsYearly: "", roi: "0")])
    }

    @Test("quoting: commas, quotes, CR and LF are quoted; plain text is not")
    func quoting() {
        #expect(RecommendationCSV.field("plain text") == "plain text")
        #expect(RecommendationCSV.field("a,b") == #""a,b""#)
        #expect(RecommendationCSV.field(#"say "hi""#) == #""say ""hi""""#)
        #expect(RecommendationCSV.field("two\nlines") == "\"two\nlines\"")
        #expect(RecommendationCSV.field("cr\r") == "\"cr\r\"")
        #expect(RecommendationCSV.field("") == "")
    }

    @Test(
        "values that are not JSON or not schema v1 are rejected with a reason naming the field",
        arguments: [
            ("not json", "not valid JSON"),
            ("42", "not valid JSON"),
            ("[1,2]", "not a JSON object"),
            (#"{"user_id":"u","savings":[]}"#, "schema_version"),
            (#"{"schema_version":2,"user_id":"u","savings":[]}"#, "schema_version: 2"),
            (#"{"schema_version":1,"savings":[]}"#, "user_id"),
            (#"{"schema_version":1,"user_id":"u","savings":{}}"#, "savings"),
            (#"{"schema_version":1,"user_id":"u","savings":[1]}"#, "savings[0]"),
            (#"{"schema_version":1,"user_id":"u","cohort":5,"savings":[]}"#, "cohort"),
        ])
    func rejects(value: String, reason: String) {
        #expect(throws: ExportRecordError.self) { try ExportedRecommendation(value: Array(value.utf8)) }
        do {
            _ = try ExportedRecommendation(value: Array(value.utf8))
        } catch {
            let text = error.reason
            #expect(text.contains(reason), "\(text)")
        }
    }

    @Test("ExportWriter: JSONL byte for byte, cohort filter by header, skipped records counted and named")
    func writerFiltersAndSkips() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("export-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/out.jsonl"
        let file = try ExportFile(path: path)
        var warnings: [String] = []
        let writer = ExportWriter(file: file, format: .jsonl, cohort: "2026-W48") { warnings.append($0) }
        let tp = KafkaTopicPartition(topic: "recs", partition: 1)
        let other = Self.value.replacingOccurrences(of: "u-1", with: "u-9")
        try writer.write([
            KafkaRecord(topicPartition: tp, offset: 0, key: nil, value: Array(Self.value.utf8), headers: [KafkaHeader(name: "cohort", string: "2026-W48")]),
            KafkaRecord(topicPartition: tp, offset: 1, key: nil, value: Array("garbage".utf8)),
            KafkaRecord(topicPartition: tp, offset: 2, key: nil, value: Array(other.utf8), headers: [KafkaHeader(name: "cohort", string: "other")]),
            KafkaRecord(topicPartition: tp, offset: 3, key: nil, value: Array(Self.value.utf8)),  // no header: the field decides
        ])
        #expect(!FileManager.default.fileExists(atPath: path), "only the .partial exists before finish()")
        try file.finish()
        #expect(!FileManager.default.fileExists(atPath: path + ".partial"))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == Self.value + "\n" + Self.value + "\n")
        #expect(writer.summary.records == 2)
        #expect(writer.summary.users == 1)
        #expect(writer.summary.skipped == 1)
        #expect(writer.summary.filtered == 1)
        #expect(warnings == ["skipped recs/1/1: the value is not valid JSON"])
    }
}

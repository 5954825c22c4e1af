import Foundation
import Kafka
import Operations
import Pipeline
import Testing

@Suite("report: the cohort tally")
struct CohortTallyTests {
    static func record(_ topic: String, _ key: String, cohort: String?, errorClass: String? = nil, value: String = "{}") -> KafkaRecord {
        var headers: [KafkaHeader] = []
        if let cohort { headers.append(KafkaHeader(name: RecordHeader.cohort, string: cohort)) }
        if let errorClass { headers.append(KafkaHeader(name: RecordHeader.errorClass, string: errorClass)) }
        return KafkaRecord(
            topicPartition: KafkaTopicPartition(topic: topic, partition: 0), offset: 0,
            key: Array(key.utf8), value: Array(value.utf8), headers: headers)
    }

    @Test("published, recommended, dead-lettered by class and pending users of one cohort")
    func tally() {
        var t = CohortTally(cohort: "c1")
        for u in ["a", "b", "c", "d", "e", "a"] { t.addInput(Self.record("in", u, cohort: "c1")) }
        t.addInput(Self.record("in", "x", cohort: "c2"))
        t.addInput(Self.record("in", "y", cohort: nil, value: #"{"user_id":"y","cohort":"c1"}"#))  // the field decides
        t.addOutput(Self.record("out", "a", cohort: "c1"))
        t.addOutput(Self.record("out", "a", cohort: "c1"))
        t.addOutput(Self.record("out", "x", cohort: "c2"))
        t.addDeadLetter(Self.record("dlq", "b", cohort: "c1", errorClass: "invalid-record"))
        t.addDeadLetter(Self.record("dlq", "b", cohort: "c1", errorClass: "invalid-record"))
        t.addDeadLetter(Self.record("dlq", "c", cohort: "c1", errorClass: "api-rejected"))
        let r = t.report()
        #expect(r.usersPublished == 6)
        #expect(r.recordsPublished == 7)
        #expect(r.usersRecommended == 1)
        #expect(r.recommendationRecords == 2)
        #expect(r.deadLetteredUsers == ["invalid-record": 1, "api-rejected": 1, "retries-exhausted": 0, "output-rejected": 0])
        #expect(r.usersDeadLettered == 2)
        #expect(r.pending == 3)
        #expect(r.pendingSample == ["d", "e", "y"])
        #expect(r.exitStatus == 3)
        #expect(t.report(sampleLimit: 2).pendingSample == ["d", "e"])
    }

    @Test("nothing pending: exit status 0; JSON has every count")
    func nothingPending() throws {
        var t = CohortTally(cohort: "c1")
        t.addInput(Self.record("in", "a", cohort: "c1"))
        t.addOutput(Self.record("out", "a", cohort: "c1"))
        let r = t.report()
        #expect(r.pending == 0)
        #expect(r.exitStatus == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.json().utf8)) as? [String: Any])
        #expect(json["users_published"] as? Int == 1)
        #expect(json["users_recommended"] as? Int == 1)
        #expect(json["pending"] as? Int == 0)
        #expect(json["pending_sample"] as? [String] == [])
    }
}

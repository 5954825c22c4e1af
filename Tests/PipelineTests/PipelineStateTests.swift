import Kafka
@testable import Pipeline
import Testing

@Suite("Pipeline state")
struct PipelineStateTests {
    let tp = KafkaTopicPartition(topic: "in", partition: 0)

    func record(_ key: String, _ offset: Int64) -> KafkaRecord {
        KafkaRecord(topicPartition: tp, offset: offset, key: Array(key.utf8), value: [])
    }

    @Test("records of one key run one at a time, in order; other keys overtake")
    func perKeyOrder() throws {
        var state = PipelineState(maxBuffered: 100)
        state.assign([KafkaPartitionOffset(topicPartition: tp, offset: 0)])
        _ = state.take([record("a", 0), record("a", 1), record("b", 2), record("a", 3)])
        let first = try #require(state.next().0)
        #expect(first.record.offset == 0)
        let second = try #require(state.next().0)
        #expect(second.record.offset == 2, "b overtakes a's second record")
        #expect(state.next().0 == nil, "a@1 waits for a@0")
        state.complete(second)
        #expect(state.next().0 == nil)
        state.complete(first)
        #expect(try #require(state.next().0).record.offset == 1)
        #expect(state.next().0 == nil, "a@3 waits for a@1")
    }

    @Test("the watermark waits for the oldest record; revoked generations are ignored")
    func watermarkAndGenerations() throws {
        var state = PipelineState(maxBuffered: 100)
        state.assign([KafkaPartitionOffset(topicPartition: tp, offset: 10)])
        _ = state.take([record("a", 10), record("b", 11)])
        let a = try #require(state.next().0)
        let b = try #require(state.next().0)
        state.complete(b)
        #expect(state.pendingCommits().first?.offset == 10)
        #expect(state.pendingCommits().first?.metadata == "cg1:10:1")
        state.beginRevoke([tp])
        state.finishRevoke([tp])
        state.assign([KafkaPartitionOffset(topicPartition: tp, offset: 10, metadata: "cg1:10:1")])
        let counted = state.complete(a)
        #expect(!counted, "a completion from the old generation does not count")
        _ = state.take([record("a", 10), record("b", 11)])
        #expect(try #require(state.next().0).record.offset == 10)
        #expect(state.next().0 == nil, "11 was completed before the rebalance and is skipped")
    }

    @Test("a partition is paused when its buffer fills and resumed when it drains")
    func pausing() throws {
        var state = PipelineState(maxBuffered: 4)
        state.assign([KafkaPartitionOffset(topicPartition: tp, offset: 0)])
        let intake = state.take((0..<4).map { record("k\($0)", Int64($0)) })
        #expect(intake.pause == [tp])
        _ = state.next()
        let (_, resume) = state.next()
        #expect(resume == [tp])
    }
}

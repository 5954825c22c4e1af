import Kafka
import Testing

@testable import Pipeline

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

    @Test("one user's records are ordered by their user_id, whatever their Kafka keys (missing, different)")
    func orderedByUserID() throws {
        var state = PipelineState(maxBuffered: 100)
        state.assign([KafkaPartitionOffset(topicPartition: tp, offset: 0)])
        let value = Array(#"{"user_id":"user-1","amazon_spends":1000,"fuel":500,"hotels_annual":0}"#.utf8)
        let other = Array(#"{"user_id":"user-2","amazon_spends":1000,"fuel":500,"hotels_annual":0}"#.utf8)
        let records = [
            KafkaRecord(topicPartition: tp, offset: 0, key: Array("user-1".utf8), value: value),
            KafkaRecord(topicPartition: tp, offset: 1, key: nil, value: value),
            KafkaRecord(topicPartition: tp, offset: 2, key: Array("someone-else".utf8), value: value),
            KafkaRecord(topicPartition: tp, offset: 3, key: nil, value: other),
        ]
        let parsed = records.map(InputValidation.parse)
        _ = state.take(records, parsed: parsed, orderKeys: zip(records, parsed).map { InputValidation.orderKey($0, parsed: $1) })
        let first = try #require(state.next().0)
        #expect(first.record.offset == 0)
        let overtaking = try #require(state.next().0)
        #expect(overtaking.record.offset == 3, "user-2 overtakes user-1's later records")
        #expect(state.next().0 == nil, "user-1's records without its key wait for user-1@0")
        state.complete(first)
        let second = try #require(state.next().0)
        #expect(second.record.offset == 1)
        #expect(state.next().0 == nil, "user-1's record keyed differently waits for user-1@1")
        state.complete(second)
        #expect(try #require(state.next().0).record.offset == 2)
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
        state.assign(
            [KafkaPartitionOffset(topicPartition: tp, offset: 10, metadata: "cg1:10:1")],
            completed: [tp: CommitMetadata.parse("cg1:10:1", committed: 10).ranges])
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

    @Test("the first commit after an assignment keeps the previous owner's completed offsets")
    func handOverKeepsMetadata() throws {
        var state = PipelineState(maxBuffered: 100)
        state.assign(
            [KafkaPartitionOffset(topicPartition: tp, offset: 10, metadata: "cg1:10:2,4")],
            completed: [tp: CommitMetadata.parse("cg1:10:2,4", committed: 10).ranges])
        #expect(state.pendingCommits().isEmpty, "nothing new to say: the assigned commit stands")
        _ = state.take([record("a", 10), record("b", 11), record("c", 12)])
        let a = try #require(state.next().0)
        #expect(a.record.offset == 10)
        state.complete(a)
        let commit = try #require(state.pendingCommits().first)
        #expect(commit.offset == 11)
        #expect(
            CommitMetadata.decode(commit.metadata, committed: 11) == [12, 14],
            "12 (skipped on sight) and 14 (not fetched yet) stay recorded")
    }

    @Test("a result may be published while its partition drains for a revocation, never after")
    func publishOnlyWhileHeld() throws {
        var state = PipelineState(maxBuffered: 100)
        state.assign([KafkaPartitionOffset(topicPartition: tp, offset: 0)])
        _ = state.take([record("a", 0), record("b", 1)])
        let a = try #require(state.next().0)
        let b = try #require(state.next().0)
        let calling = state.beginBusy(a)
        #expect(calling)
        state.beginRevoke([tp])
        let startsDuringRevoke = state.beginBusy(b)
        #expect(!startsDuringRevoke, "no new call starts while the partition is revoked")
        #expect(state.holds(a), "a's call may still publish during the drain")
        let deadLetterDuringDrain = state.beginPublish(b)
        #expect(deadLetterDuringDrain, "and so may a dead letter")
        state.finishRevoke([tp])
        let publishesAfter = state.beginPublish(a)
        #expect(!state.holds(a) && !publishesAfter, "once the assignment is gone, nothing is published")
        state.assign([KafkaPartitionOffset(topicPartition: tp, offset: 0)])
        #expect(!state.holds(a), "not even when the same partition comes back in a new generation")
    }

    @Test("the breaker pauses only partitions whose fetch has started; one assigned while it is open is paused with its first delivery")
    func assignUnderOpenBreaker() {
        var state = PipelineState(maxBuffered: 4)
        let other = KafkaTopicPartition(topic: "in", partition: 1)
        state.assign([KafkaPartitionOffset(topicPartition: tp, offset: 0)])
        #expect(state.setBreakerOpen(true).isEmpty, "nothing delivered yet: a pause now could make librdkafka drop the fetch start")
        #expect(state.take([record("a", 0)]).pause == [tp], "paused with its first record")
        state.assign([KafkaPartitionOffset(topicPartition: other, offset: 0)])
        #expect(state.flow([tp, other]).pause == [tp])
        #expect(state.flow([tp, other]).resume == [other], "a partition assigned while the breaker is open starts resumed")
        #expect(state.take([KafkaRecord(topicPartition: other, offset: 0, key: Array("b".utf8), value: Array("{}".utf8))]).pause == [other])
        _ = state.setBreakerOpen(false)
        #expect(state.flow([tp, other]).resume.sorted() == [tp, other])
        state.markEnd(other, offset: 1)
        #expect(state.setBreakerOpen(true).sorted() == [tp, other], "once fetched, the breaker pauses at once")
    }

    @Test("a partition taken back after a revocation starts resumed, whatever it was before")
    func reassignedPartitionIsNotPaused() {
        var state = PipelineState(maxBuffered: 2)
        state.assign([KafkaPartitionOffset(topicPartition: tp, offset: 0)])
        #expect(state.take([record("a", 0), record("b", 1)]).pause == [tp])
        state.beginRevoke([tp])
        state.finishRevoke([tp])
        state.assign([KafkaPartitionOffset(topicPartition: tp, offset: 0)])
        #expect(state.flow([tp]).resume == [tp])
        #expect(state.take([record("a", 0)]).pause.isEmpty)
    }

    @Test("a partition where nothing completes is found idle; progress or a hold resets it")
    func idlePartitions() throws {
        var state = PipelineState(maxBuffered: 100)
        let start = ContinuousClock.now
        state.assign([KafkaPartitionOffset(topicPartition: tp, offset: 0)], now: start - .seconds(10))
        #expect(state.idleSince(start - .seconds(5)) == [tp])
        _ = state.take([record("a", 0)])
        let a = try #require(state.next().0)
        state.complete(a)
        #expect(state.idleSince(start - .seconds(5)).isEmpty)
        state.touchAll(start + .seconds(60))
        #expect(state.idleSince(start + .seconds(59)).isEmpty)
    }
}

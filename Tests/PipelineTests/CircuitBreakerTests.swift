import Kafka
import Synchronization
import Testing

@testable import Pipeline

/// The circuit breaker over its state machine (whose own tests are FlowControlTests'): it
/// moves on by the clock with nobody asking, wakes its waiters at transitions, and its
/// transitions are numbered so that the member applies them in the order they happened.
@Suite("Circuit breaker")
struct CircuitBreakerTests {
    let t0 = ContinuousClock.now

    @Test("tick moves an open breaker to half-open with nobody asking, and reports numbered transitions")
    func tickWithInjectedClock() {
        let clock = Mutex(t0)
        let seen = Mutex<[CircuitBreaker.Transition]>([])
        var c = CircuitBreaker.Configuration()
        c.failureThreshold = 2
        c.openDuration = .seconds(5)
        let breaker = CircuitBreaker(configuration: c, now: { clock.withLock { $0 } }, onChange: { t in seen.withLock { $0.append(t) } })
        breaker.record(.failure, permit: .call)
        breaker.record(.failure, permit: .call)
        #expect(breaker.state == .open)
        breaker.tick()
        #expect(breaker.state == .open)
        clock.withLock { $0 = $0 + .seconds(5) }
        breaker.tick()
        #expect(breaker.state == .halfOpen)
        #expect(seen.withLock { $0 } == [.init(state: .open, sequence: 1), .init(state: .halfOpen, sequence: 2)])
    }

    @Test("a caller waiting out an open breaker wakes at the transition tick makes, and probes")
    func waiterWokenByTick() async throws {
        let clock = Mutex(t0)
        var c = CircuitBreaker.Configuration()
        c.failureThreshold = 1
        c.openDuration = .seconds(600)
        let breaker = CircuitBreaker(configuration: c, now: { clock.withLock { $0 } })
        breaker.record(.failure, permit: .call)
        #expect(breaker.state == .open)
        let started = ContinuousClock.now
        async let permit = breaker.permit()
        // Let the caller find the breaker open and wait (600 s by its clock).
        try await Task.sleep(for: .milliseconds(100))
        clock.withLock { $0 = $0 + .seconds(600) }
        breaker.tick()
        #expect(try await permit == .probe)
        #expect(ContinuousClock.now - started < .seconds(60), "woken by the transition, not by the end of its sleep")
    }

    @Test("transitions applied out of order: a late `open` never lands after a later `close`")
    func transitionsApplyInOrder() {
        let tp = KafkaTopicPartition(topic: "in", partition: 0)
        var state = PipelineState(maxBuffered: 4)
        state.assign([KafkaPartitionOffset(topicPartition: tp, offset: 0)])
        _ = state.take([KafkaRecord(topicPartition: tp, offset: 0, key: Array("a".utf8), value: [])])
        // The breaker opened (1), turned half-open (2) and closed (3); the reports of 3 and 2
        // arrive before the report of 1.
        #expect(state.applyBreaker(.init(state: .closed, sequence: 3)) == [])
        #expect(state.applyBreaker(.init(state: .halfOpen, sequence: 2)) == nil)
        #expect(state.applyBreaker(.init(state: .open, sequence: 1)) == nil, "too late: ignored")
        #expect(!state.breakerOpen)
        #expect(state.flow([tp]).resume == [tp])
        #expect(state.applyBreaker(.init(state: .open, sequence: 4)) == [tp])
        #expect(state.flow([tp]).pause == [tp])
        #expect(state.applyBreaker(.init(state: .halfOpen, sequence: 5)) == [tp], "half-open fetches again, so that a probe has a record")
        #expect(state.flow([tp]).resume == [tp])
    }

    @Test("a partition that should be fetching and delivered nothing is found, with the offset to fetch next; each restart without a delivery doubles the wait")
    func notFetching() {
        let tp = KafkaTopicPartition(topic: "in", partition: 0)
        let other = KafkaTopicPartition(topic: "in", partition: 1)
        let start = ContinuousClock.now
        var state = PipelineState(maxBuffered: 4)
        state.assign(
            [KafkaPartitionOffset(topicPartition: tp, offset: 5), KafkaPartitionOffset(topicPartition: other, offset: 0)],
            now: start - .seconds(20))
        let highs = [tp: Int64(10), other: Int64(3)]
        let wait = Duration.seconds(15)
        #expect(state.notFetching(for: wait, now: start, highs: highs).map(\.topicPartition) == [tp, other])
        _ = state.take([
            KafkaRecord(topicPartition: other, offset: 0, key: Array("a".utf8), value: []),
            KafkaRecord(topicPartition: other, offset: 1, key: Array("b".utf8), value: []),
        ])
        let now = ContinuousClock.now
        #expect(
            state.notFetching(for: wait, now: now, highs: highs) == [KafkaPartitionOffset(topicPartition: tp, offset: 5)],
            "other delivered just now")
        #expect(state.notFetching(for: wait, now: now, highs: [tp: 5, other: 3]).isEmpty, "tp is at its end")
        _ = state.setBreakerOpen(true)
        #expect(
            state.notFetching(for: wait, now: now + .seconds(16), highs: highs).map(\.topicPartition) == [tp],
            "other is paused by the breaker: not expected to fetch (tp's fetch never started, so it is not paused)")
        _ = state.setBreakerOpen(false)
        #expect(state.notFetching(for: wait, now: .now + .seconds(1), highs: highs).map(\.topicPartition) == [tp], "other resumed just now")
        #expect(state.fetchPositions == [KafkaPartitionOffset(topicPartition: tp, offset: 5), KafkaPartitionOffset(topicPartition: other, offset: 2)])
        let restart = ContinuousClock.now
        state.touchFetching(restarted: [tp], restart)
        #expect(state.notFetching(for: wait, now: restart + .seconds(16), highs: [tp: 10]).isEmpty, "restarted once: waits 30 s")
        #expect(state.notFetching(for: wait, now: restart + .seconds(31), highs: [tp: 10]).map(\.topicPartition) == [tp])
        _ = state.take([KafkaRecord(topicPartition: tp, offset: 5, key: Array("c".utf8), value: [])])
        #expect(
            state.notFetching(for: wait, now: .now + .seconds(16), highs: [tp: 10]).map(\.topicPartition) == [tp],
            "a delivery resets the wait")
    }
}

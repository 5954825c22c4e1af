import Kafka
@testable import Pipeline
import Synchronization
import Testing

/// The circuit breaker as a state machine, driven by the test's own instants: it always
/// moves on (open → half-open by the clock alone, half-open → a probe from whichever
/// caller comes, a probe given back lets the next one probe), and its transitions are
/// numbered so that the member applies them in the order they happened.
@Suite("Circuit breaker")
struct CircuitBreakerTests {
    let t0 = ContinuousClock.now

    func machine(threshold: Int = 3, open: Duration = .seconds(2), max: Duration = .seconds(8),
                 stuckAfter: Duration = .seconds(30)) -> CircuitBreakerStateMachine {
        var c = CircuitBreaker.Configuration()
        c.failureThreshold = threshold
        c.openDuration = open
        c.maxOpenDuration = max
        c.stuckAfter = stuckAfter
        return CircuitBreakerStateMachine(configuration: c, now: t0)
    }

    /// Opens `m` with `threshold` failures at `t0`.
    func trip(_ m: inout CircuitBreakerStateMachine, threshold: Int = 3) -> CircuitBreaker.Transition? {
        var last: CircuitBreaker.Transition?
        for _ in 0..<threshold {
            let (decision, _) = m.permit(now: t0)
            #expect(decision == .go(.call))
            last = m.record(.failure, permit: .call, now: t0)
        }
        return last
    }

    @Test("open turns half-open when its time is over, with no caller at all, and not before")
    func opensThenHalfOpensByTheClock() {
        var m = machine()
        #expect(trip(&m) == CircuitBreaker.Transition(state: .open, sequence: 1))
        #expect(m.trips == 1)
        #expect(m.advance(now: t0 + .milliseconds(1999)) == nil)
        #expect(m.permit(now: t0 + .seconds(1)).0 == .wait(until: t0 + .seconds(2)))
        #expect(m.advance(now: t0 + .seconds(2)) == CircuitBreaker.Transition(state: .halfOpen, sequence: 2))
        #expect(m.state == .halfOpen)
        #expect(m.advance(now: t0 + .seconds(3)) == nil, "one transition, not one per tick")
    }

    @Test("half-open lets one probe through; a probe given back unused lets the next caller probe")
    func probeGivenBack() {
        var m = machine()
        _ = trip(&m)
        let at = t0 + .seconds(2)
        let (first, moved) = m.permit(now: at)
        #expect(first == .go(.probe))
        #expect(moved?.state == .halfOpen, "the caller that finds the time over moves the breaker itself")
        #expect(m.permit(now: at).0 == .park)
        #expect(!m.releasesParked)
        // The probe's record was revoked before its call: the permit comes back unused.
        #expect(m.record(.neutral, permit: .probe, now: at) == nil)
        #expect(m.releasesParked)
        #expect(m.state == .halfOpen)
        #expect(m.permit(now: at).0 == .go(.probe), "another record probes")
    }

    @Test("a failed probe re-opens for twice as long (up to the maximum); a good one closes and resets the open time")
    func probeVerdicts() {
        var m = machine(open: .seconds(2), max: .seconds(5))
        _ = trip(&m)
        var now = t0 + .seconds(2)
        #expect(m.permit(now: now).0 == .go(.probe))
        #expect(m.record(.failure, permit: .probe, now: now) == CircuitBreaker.Transition(state: .open, sequence: 3))
        #expect(m.openUntil == now + .seconds(4))
        now = now + .seconds(4)
        #expect(m.permit(now: now).0 == .go(.probe))
        _ = m.record(.failure, permit: .probe, now: now)
        #expect(m.openUntil == now + .seconds(5), "capped at the maximum")
        now = now + .seconds(5)
        #expect(m.permit(now: now).0 == .go(.probe))
        #expect(m.record(.healthy, permit: .probe, now: now) == CircuitBreaker.Transition(state: .closed, sequence: 7))
        #expect(m.currentOpen == .seconds(2))
        #expect(m.trips == 1, "re-opening after a probe is not a new trip")
        #expect(m.permit(now: now).0 == .go(.call))
    }

    @Test("a breaker open or half-open without a transition for longer than its bound is stuck; one that moves is not")
    func stuck() {
        var m = machine(open: .seconds(2), stuckAfter: .seconds(10))
        #expect(!m.isStuck(longerThan: .seconds(10), now: t0 + .seconds(60)), "closed is never stuck")
        _ = trip(&m)
        #expect(!m.isStuck(longerThan: .seconds(10), now: t0 + .seconds(10)))
        _ = m.advance(now: t0 + .seconds(2))
        #expect(!m.isStuck(longerThan: .seconds(10), now: t0 + .seconds(12)))
        #expect(m.isStuck(longerThan: .seconds(10), now: t0 + .seconds(13)), "half-open and no probe verdict for 11 s")
    }

    @Test("tick moves an open breaker to half-open with nobody asking, and reports numbered transitions")
    func tickWithInjectedClock() {
        let clock = Mutex(t0)
        let seen = Mutex<[CircuitBreaker.Transition]>([])
        var c = CircuitBreaker.Configuration()
        c.failureThreshold = 2
        c.openDuration = .seconds(5)
        let breaker = CircuitBreaker(configuration: c, now: { clock.withLock { $0 } }) { t in seen.withLock { $0.append(t) } }
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
        state.assign([KafkaPartitionOffset(topicPartition: tp, offset: 5), KafkaPartitionOffset(topicPartition: other, offset: 0)],
                     now: start - .seconds(20))
        let highs = [tp: Int64(10), other: Int64(3)]
        let wait = Duration.seconds(15)
        #expect(state.notFetching(for: wait, now: start, highs: highs).map(\.topicPartition) == [tp, other])
        _ = state.take([KafkaRecord(topicPartition: other, offset: 0, key: Array("a".utf8), value: []),
                        KafkaRecord(topicPartition: other, offset: 1, key: Array("b".utf8), value: [])])
        let now = ContinuousClock.now
        #expect(state.notFetching(for: wait, now: now, highs: highs) == [KafkaPartitionOffset(topicPartition: tp, offset: 5)],
                "other delivered just now")
        #expect(state.notFetching(for: wait, now: now, highs: [tp: 5, other: 3]).isEmpty, "tp is at its end")
        _ = state.setBreakerOpen(true)
        #expect(state.notFetching(for: wait, now: now + .seconds(16), highs: highs).map(\.topicPartition) == [tp],
                "other is paused by the breaker: not expected to fetch (tp's fetch never started, so it is not paused)")
        _ = state.setBreakerOpen(false)
        #expect(state.notFetching(for: wait, now: .now + .seconds(1), highs: highs).map(\.topicPartition) == [tp], "other resumed just now")
        #expect(state.fetchPositions == [KafkaPartitionOffset(topicPartition: tp, offset: 5), KafkaPartitionOffset(topicPartition: other, offset: 2)])
        let restart = ContinuousClock.now
        state.touchFetching(restarted: [tp], restart)
        #expect(state.notFetching(for: wait, now: restart + .seconds(16), highs: [tp: 10]).isEmpty, "restarted once: waits 30 s")
        #expect(state.notFetching(for: wait, now: restart + .seconds(31), highs: [tp: 10]).map(\.topicPartition) == [tp])
        _ = state.take([KafkaRecord(topicPartition: tp, offset: 5, key: Array("c".utf8), value: [])])
        #expect(state.notFetching(for: wait, now: .now + .seconds(16), highs: [tp: 10]).map(\.topicPartition) == [tp],
                "a delivery resets the wait")
    }
}

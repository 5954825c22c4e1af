import FlowControl
import Testing

/// The circuit breaker as a state machine, driven by the test's own instants: it always
/// moves on (open → half-open by the clock alone, half-open → a probe from whichever
/// caller comes, a probe given back lets the next one probe), and its transitions are
/// numbered so that the member applies them in the order they happened.
@Suite("Circuit breaker state machine")
struct CircuitBreakerStateMachineTests {
    typealias Machine = CircuitBreakerStateMachine<TestInstant>
    let t0 = TestInstant.zero

    func machine(
        threshold: Int = 3, open: Duration = .seconds(2), max: Duration = .seconds(8),
        stuckAfter: Duration = .seconds(30)
    ) -> Machine {
        var c = CircuitBreakerConfiguration()
        c.failureThreshold = threshold
        c.openDuration = open
        c.maxOpenDuration = max
        c.stuckAfter = stuckAfter
        return Machine(configuration: c, now: t0)
    }

    /// Opens `m` with `threshold` failures at `t0`.
    func trip(_ m: inout Machine, threshold: Int = 3) -> CircuitBreakerTransition? {
        var last: CircuitBreakerTransition?
        for _ in 0..<threshold {
            let (decision, _) = m.permit(now: t0)
            #expect(decision == .go(.call))
            last = m.record(.failure, permit: .call, now: t0)
        }
        return last
    }

    @Test("closed → open after the threshold of consecutive failures → half-open at the instant → closed on a good probe")
    func fullCycle() {
        var m = machine(threshold: 3, open: .seconds(2))
        // Two failures, a success, two failures: never three in a row.
        for result in [CircuitBreakerCallHealth.failure, .failure, .healthy, .failure, .failure] {
            #expect(m.record(result, permit: .call, now: t0) == nil)
        }
        #expect(m.state == .closed)
        #expect(m.record(.failure, permit: .call, now: .at(1)) == CircuitBreakerTransition(state: .open, sequence: 1))
        #expect(m.openUntil == .at(3), "open for 2 s from the failure that tripped it")
        #expect(m.permit(now: .at(2.5)) == (.wait(until: .at(3)), nil))
        // A call permitted before the trip reports late: neither its success nor its failure moves an open breaker.
        #expect(m.record(.healthy, permit: .call, now: .at(2.5)) == nil)
        #expect(m.record(.failure, permit: .call, now: .at(2.5)) == nil)
        #expect(m.state == .open)
        #expect(m.openUntil == .at(3))
        let (decision, moved) = m.permit(now: .at(3))
        #expect(decision == .go(.probe))
        #expect(moved == CircuitBreakerTransition(state: .halfOpen, sequence: 2))
        #expect(m.record(.healthy, permit: .probe, now: .at(3.25)) == CircuitBreakerTransition(state: .closed, sequence: 3))
        #expect(m.consecutiveFailures == 0)
        #expect(m.lastTransition == .at(3.25))
        #expect(m.permit(now: .at(3.25)) == (.go(.call), nil))
        #expect(m.trips == 1)
    }

    @Test("a failed probe re-opens at once, from its verdict's instant, and parked callers are released")
    func halfOpenFailure() {
        var m = machine(open: .seconds(2))
        _ = trip(&m)
        #expect(m.permit(now: .at(2)).0 == .go(.probe))
        #expect(m.permit(now: .at(2.5)).0 == .park)
        #expect(!m.releasesParked)
        #expect(m.record(.failure, permit: .probe, now: .at(2.5)) == CircuitBreakerTransition(state: .open, sequence: 3))
        #expect(m.releasesParked)
        #expect(m.permit(now: .at(2.5)) == (.wait(until: .at(6.5)), nil), "twice the first open time")
    }

    @Test("open turns half-open when its time is over, with no caller at all, and not before")
    func opensThenHalfOpensByTheClock() {
        var m = machine()
        #expect(trip(&m) == CircuitBreakerTransition(state: .open, sequence: 1))
        #expect(m.trips == 1)
        #expect(m.advance(now: t0 + .milliseconds(1999)) == nil)
        #expect(m.permit(now: t0 + .seconds(1)).0 == .wait(until: t0 + .seconds(2)))
        #expect(m.advance(now: t0 + .seconds(2)) == CircuitBreakerTransition(state: .halfOpen, sequence: 2))
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
        #expect(m.record(.failure, permit: .probe, now: now) == CircuitBreakerTransition(state: .open, sequence: 3))
        #expect(m.openUntil == now + .seconds(4))
        now = now + .seconds(4)
        #expect(m.permit(now: now).0 == .go(.probe))
        _ = m.record(.failure, permit: .probe, now: now)
        #expect(m.openUntil == now + .seconds(5), "capped at the maximum")
        now = now + .seconds(5)
        #expect(m.permit(now: now).0 == .go(.probe))
        #expect(m.record(.healthy, permit: .probe, now: now) == CircuitBreakerTransition(state: .closed, sequence: 7))
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
}

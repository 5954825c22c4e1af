import FlowControl
import Testing

/// The member's hold driven by the test's instants: extensions move its end only later,
/// waits are capped, and a long hold is reported once, when it starts.
@Suite("Hold state machine")
struct HoldStateMachineTests {
    typealias Hold = HoldStateMachine<TestInstant>

    /// The member's tuning: `Retry-After` capped at 300 s, long beyond 60 s.
    func hold() -> Hold { Hold(cap: .seconds(300), longHold: .seconds(60)) }

    @Test("no hold before the first extension")
    func none() {
        let h = hold()
        #expect(h.resumesAt(now: .zero) == nil)
        #expect(h.remaining(now: .zero) == .zero)
        #expect(h.longHoldInForce(now: .zero) == nil)
    }

    @Test("an extension holds until its instant; a shorter one later does not shorten it; a longer one extends it")
    func extensionsMoveTheEnd() {
        var h = hold()
        #expect(
            h.extend(by: .seconds(10), now: .zero)
                == .init(asked: .seconds(10), applied: .seconds(10), startsLongHold: false))
        #expect(h.resumesAt(now: .at(4)) == .at(10))
        #expect(h.remaining(now: .at(4)) == .seconds(6))
        _ = h.extend(by: .seconds(2), now: .at(5))
        #expect(h.resumesAt(now: .at(5)) == .at(10), "7 s is earlier than 10 s: kept")
        _ = h.extend(by: .seconds(8), now: .at(5))
        #expect(h.resumesAt(now: .at(5)) == .at(13))
        #expect(h.resumesAt(now: .at(13)) == nil, "over at its instant")
        #expect(h.remaining(now: .at(20)) == .zero)
    }

    @Test("a wait is applied capped at the cap, and never below zero")
    func cap() {
        var h = hold()
        let day = Duration.seconds(86_400)
        #expect(h.extend(by: day, now: .zero) == .init(asked: day, applied: .seconds(300), startsLongHold: true))
        #expect(h.resumesAt(now: .zero) == .at(300))
        var other = hold()
        #expect(other.extend(by: .seconds(-5), now: .at(1)).applied == .zero)
        #expect(other.resumesAt(now: .at(1)) == nil)
    }

    @Test("a long hold starts once, is in force with what was asked and applied, and a new one starts after it ends")
    func longHold() {
        var h = hold()
        #expect(!h.extend(by: .seconds(60), now: .zero).startsLongHold, "60 s is not longer than 60 s")
        #expect(h.longHoldInForce(now: .zero) == nil)
        #expect(h.extend(by: .seconds(90), now: .at(1)).startsLongHold)
        #expect(h.longHoldInForce(now: .at(31)) == .init(remaining: .seconds(60), asked: .seconds(90), applied: .seconds(90)))
        #expect(!h.extend(by: .seconds(120), now: .at(31)).startsLongHold, "one in force: not a new start")
        #expect(h.longHoldInForce(now: .at(31)) == .init(remaining: .seconds(120), asked: .seconds(120), applied: .seconds(120)))
        #expect(!h.extend(by: .seconds(70), now: .at(32)).startsLongHold)
        #expect(h.longHoldInForce(now: .at(32))?.asked == .seconds(120), "a long hold ending sooner does not replace the later one")
        #expect(h.longHoldInForce(now: .at(151)) == nil)
        #expect(h.extend(by: .seconds(61), now: .at(151)).startsLongHold, "the last one ended at 151 s")
    }
}

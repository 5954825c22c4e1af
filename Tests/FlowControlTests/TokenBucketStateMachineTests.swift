import FlowControl
import Testing

/// The token bucket driven by the test's instants: the burst at once, then the rate, with
/// every wait named to the instant; limits changed mid-wait; a zero rate; disabled.
@Suite("Token bucket state machine")
struct TokenBucketStateMachineTests {
    typealias Bucket = TokenBucketStateMachine<TestInstant>

    @Test("the burst goes at once, then one token per 1/rate, each wait named to the instant")
    func burstThenRate() {
        var bucket = Bucket(rate: 2, burst: 3, now: .zero)
        for _ in 0..<3 { #expect(bucket.take(now: .zero) == .proceed) }
        #expect(bucket.take(now: .zero) == .wait(until: .at(0.5)))
        #expect(bucket.take(now: .at(0.25)) == .wait(until: .at(0.5)), "asking again early names the same instant")
        #expect(bucket.take(now: .at(0.5)) == .proceed)
        #expect(bucket.take(now: .at(0.75)) == .wait(until: .at(1)), "half a token earned since 0.5")
        #expect(bucket.take(now: .at(1)) == .proceed)
    }

    @Test("an idle bucket refills to its burst and no further")
    func refillCappedAtBurst() {
        var bucket = Bucket(rate: 2, burst: 3, now: .zero)
        for _ in 0..<3 { _ = bucket.take(now: .zero) }
        #expect(bucket.take(now: .at(100)) == .proceed)
        #expect(bucket.tokens == 2, "3 (the burst), not 200, less the one taken")
        #expect(bucket.take(now: .at(100)) == .proceed)
        #expect(bucket.take(now: .at(100)) == .proceed)
        #expect(bucket.take(now: .at(100)) == .wait(until: .at(100.5)))
    }

    @Test("a retune mid-wait moves the waiter's instant, keeps what is left, and drops tokens above a lower burst")
    func retuneMidWait() {
        var bucket = Bucket(rate: 1, burst: 1, now: .zero)
        #expect(bucket.take(now: .zero) == .proceed)
        #expect(bucket.take(now: .zero) == .wait(until: .at(1)))
        // Half a token earned at 1/s; at 4/s the other half takes 0.125 s.
        bucket.update(rate: 4, burst: 2, enabled: true, now: .at(0.5))
        #expect(bucket.tokens == 0.5, "a rebalance never hands out a second burst")
        #expect(bucket.take(now: .at(0.5)) == .wait(until: .at(0.625)))
        #expect(bucket.take(now: .at(0.625)) == .proceed)

        var full = Bucket(rate: 10, burst: 5, now: .zero)
        full.update(rate: 10, burst: 2, enabled: true, now: .zero)
        #expect(full.tokens == 2)
        #expect(full.take(now: .zero) == .proceed)
        #expect(full.take(now: .zero) == .proceed)
        #expect(full.take(now: .zero) == .wait(until: .at(0.1)))
    }

    @Test("at rate zero a caller waits for an update; the first positive rate fills the bucket to its burst")
    func zeroRateThenFirstShare() {
        // The member's bucket before its first share: one call of burst, no rate.
        var bucket = Bucket(rate: 0, burst: 1, now: .zero)
        #expect(bucket.take(now: .zero) == .proceed)
        #expect(bucket.take(now: .at(3600)) == .waitForUpdate, "no token comes at rate zero, however long")
        bucket.update(rate: 100, burst: 5, enabled: true, now: .at(3600))
        for _ in 0..<5 { #expect(bucket.take(now: .at(3600)) == .proceed) }
        #expect(bucket.take(now: .at(3600)) == .wait(until: .at(3600) + .seconds(0.01)))
        // Back to zero (the member lost its partitions) and up again: no second burst.
        bucket.update(rate: 0, burst: 5, enabled: true, now: .at(3600))
        #expect(bucket.take(now: .at(3601)) == .waitForUpdate)
        bucket.update(rate: 100, burst: 5, enabled: true, now: .at(3601))
        #expect(bucket.tokens == 0)
    }

    @Test("a disabled bucket lets every call through without taking tokens; enabled again, it limits")
    func disabled() {
        var bucket = Bucket(rate: 1, burst: 2, enabled: false, now: .zero)
        for _ in 0..<100 { #expect(bucket.take(now: .zero) == .proceed) }
        #expect(bucket.tokens == 2)
        bucket.update(rate: 1, burst: 2, enabled: true, now: .zero)
        #expect(bucket.take(now: .zero) == .proceed)
        #expect(bucket.take(now: .zero) == .proceed)
        #expect(bucket.take(now: .zero) == .wait(until: .at(1)))
        bucket.update(rate: 1, burst: 2, enabled: false, now: .zero)
        #expect(bucket.take(now: .zero) == .proceed)
    }

    @Test("time that goes backwards earns nothing and does not move the bucket's count back")
    func timeBackwards() {
        var bucket = Bucket(rate: 1, burst: 1, now: .at(10))
        #expect(bucket.take(now: .at(10)) == .proceed)
        #expect(bucket.take(now: .at(5)) == .wait(until: .at(11)), "the token is still due one second after the count")
        #expect(bucket.lastRefill == .at(10))
        #expect(bucket.take(now: .at(11)) == .proceed)
    }

    @Test("a burst below one call never admits (the simulator's --burst 0.5)")
    func burstBelowOne() {
        var bucket = Bucket(rate: 1, burst: 0.5, now: .zero)
        #expect(bucket.take(now: .zero) == .wait(until: .at(0.5)))
        #expect(bucket.take(now: .at(0.5)) == .wait(until: .at(1)))
        #expect(bucket.take(now: .at(1000)) == .wait(until: .at(1000.5)))
    }
}

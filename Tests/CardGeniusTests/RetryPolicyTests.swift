import CardGenius
import Foundation
import Testing

/// A deterministic generator for the tests.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Always draws the maximum (or the minimum) of a range.
struct ExtremeGenerator: RandomNumberGenerator {
    var value: UInt64
    mutating func next() -> UInt64 { value }
}

@Suite("RetryPolicy")
struct RetryPolicyTests {
    @Test("defaults match the spec: 3 attempts, 500 ms base, 30 s cap")
    func defaults() {
        let policy = RetryPolicy()
        #expect(policy.maxAttempts == 3)
        #expect(policy.baseDelay == .milliseconds(500))
        #expect(policy.maxDelay == .seconds(30))
    }

    @Test("nil once attempts are used up (and for nonsense attempts)")
    func exhausted() {
        var rng = SeededGenerator(state: 1)
        let policy = RetryPolicy(maxAttempts: 3)
        #expect(policy.delay(afterAttempt: 1, retryAfter: nil, using: &rng) != nil)
        #expect(policy.delay(afterAttempt: 2, retryAfter: nil, using: &rng) != nil)
        #expect(policy.delay(afterAttempt: 3, retryAfter: nil, using: &rng) == nil)
        #expect(policy.delay(afterAttempt: 4, retryAfter: .seconds(1), using: &rng) == nil)
        #expect(policy.delay(afterAttempt: 0, retryAfter: nil, using: &rng) == nil)
        #expect(RetryPolicy(maxAttempts: 1).delay(afterAttempt: 1, retryAfter: nil, using: &rng) == nil)
    }

    @Test("full jitter stays within [0, min(max, base * 2^(n-1))] and the window doubles")
    func boundsAndGrowth() {
        var rng = SeededGenerator(state: 42)
        let policy = RetryPolicy(maxAttempts: 10, baseDelay: .milliseconds(100), maxDelay: .seconds(5))
        for attempt in 1..<10 {
            let window = min(Duration.seconds(5), .milliseconds(100) * (1 << (attempt - 1)))
            #expect(policy.maximumDelay(afterAttempt: attempt) == window)
            var largest = Duration.zero
            var smallest = Duration.seconds(100)
            for _ in 0..<2_000 {
                let delay = policy.delay(afterAttempt: attempt, retryAfter: nil, using: &rng)!
                #expect(delay >= .zero && delay <= window)
                largest = max(largest, delay)
                smallest = min(smallest, delay)
            }
            // Uniform over the window: the extremes get close to both ends.
            #expect(largest > window * 0.95)
            #expect(smallest < window * 0.05)
        }
        var top = ExtremeGenerator(value: .max)
        #expect(policy.delay(afterAttempt: 1, retryAfter: nil, using: &top)! <= .milliseconds(100))
        #expect(policy.delay(afterAttempt: 3, retryAfter: nil, using: &top)! > .milliseconds(300))
    }

    @Test("the cap holds even for huge attempt numbers")
    func cap() {
        var rng = ExtremeGenerator(value: .max)
        let policy = RetryPolicy(maxAttempts: 1_000, baseDelay: .seconds(1), maxDelay: .seconds(30))
        for attempt in [6, 10, 63, 64, 500, 999] {
            let delay = policy.delay(afterAttempt: attempt, retryAfter: nil, using: &rng)!
            #expect(delay <= .seconds(30))
            #expect(delay > .seconds(29))
        }
    }

    @Test("Retry-After is a floor, and may exceed the cap")
    func retryAfterFloor() {
        var rng = SeededGenerator(state: 7)
        let policy = RetryPolicy(maxAttempts: 5, baseDelay: .milliseconds(100), maxDelay: .seconds(2))
        for _ in 0..<500 {
            let delay = policy.delay(afterAttempt: 1, retryAfter: .seconds(1), using: &rng)!
            #expect(delay == .seconds(1))  // the window is 100 ms, so Retry-After always wins
        }
        #expect(policy.delay(afterAttempt: 2, retryAfter: .seconds(10), using: &rng) == .seconds(10))
        var top = ExtremeGenerator(value: .max)
        // A jitter draw above a short Retry-After is kept.
        let delay = policy.delay(afterAttempt: 4, retryAfter: .milliseconds(10), using: &top)!
        #expect(delay > .milliseconds(700) && delay <= .milliseconds(800))
    }

    @Test("a Retry-After of a day holds the record no longer than the member's hold (300 s)")
    func retryAfterCapped() {
        var rng = SeededGenerator(state: 11)
        let policy = RetryPolicy(maxAttempts: 5, baseDelay: .milliseconds(100), maxDelay: .seconds(2))
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(86_400), using: &rng) == RetryAfter.longestHonoured)
        #expect(policy.delay(afterAttempt: 2, retryAfter: RetryAfter.longestAsked, using: &rng) == .seconds(300))
        #expect(policy.delay(afterAttempt: 2, retryAfter: .seconds(299), using: &rng) == .seconds(299))
        #expect(RetryAfter.honoured(.seconds(-5)) == .zero)
    }

    @Test("a zero base delay retries immediately")
    func zeroBase() {
        var rng = SeededGenerator(state: 3)
        let policy = RetryPolicy(maxAttempts: 3, baseDelay: .zero, maxDelay: .seconds(1))
        #expect(policy.delay(afterAttempt: 1, retryAfter: nil, using: &rng) == .zero)
    }
}

@Suite("Retry-After parsing")
struct RetryAfterTests {
    @Test("delta seconds")
    func deltaSeconds() {
        #expect(RetryAfter.parse("120") == .seconds(120))
        #expect(RetryAfter.parse(" 0 ") == .zero)
        #expect(RetryAfter.parse("1.5") == .milliseconds(1_500))
        #expect(RetryAfter.parse("-3") == nil)
        #expect(RetryAfter.parse("soon") == nil)
        #expect(RetryAfter.parse("") == nil)
    }

    @Test("HTTP-date in all three formats, relative to now")
    func httpDate() {
        // Sun, 06 Nov 1994 08:49:37 GMT = 784111777 seconds since 1970.
        let now = Date(timeIntervalSince1970: 784_111_777 - 30)
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", now: now) == .seconds(30))
        #expect(RetryAfter.parse("Sunday, 06-Nov-94 08:49:37 GMT", now: now) == .seconds(30))
        #expect(RetryAfter.parse("Sun Nov  6 08:49:37 1994", now: now) == .seconds(30))
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", now: now.addingTimeInterval(3_600)) == .zero)
        #expect(RetryAfter.parse("Sun, 32 Nov 1994 08:49:37 GMT", now: now) == nil)
        #expect(RetryAfter.parse("Sun, 06 Foo 1994 08:49:37 GMT", now: now) == nil)
    }

    @Test("any value a server sends is a bounded wait or nil, never a trap")
    func adversarial() {
        let now = Date(timeIntervalSince1970: 1_796_205_600)  // Wed, 02 Dec 2026 10:00:00 GMT
        let values = [
            "Sun, 06 Nov 999999999 08:49:37 GMT", "Sun, 06 Nov 99999999999999999999 08:49:37 GMT",
            "Sunday, 06-Nov-99999 08:49:37 GMT", "Sun Nov  6 08:49:37 999999999", "Sun, 06 Nov -5 08:49:37 GMT",
            "Fri, 31 Dec 9999 23:59:59 GMT", "Sat, 01 Jan 10000 00:00:00 GMT", "Mon, 01 Jan 0001 00:00:00 GMT",
            "999999999", "1000000000", String(repeating: "9", count: 400), "1e308", "-1", "+5", "0x10", "nan", "inf",
            "1.7976931348623157e308", "9223372036854775807", "18446744073709551616", String(repeating: "9", count: 30) + ".5",
            "\u{0}", "Sun, 06 Nov 1994 08:49:37 GMT" + String(repeating: " ", count: 100_000), String(repeating: "x", count: 1_000_000),
        ]
        for value in values {
            if let wait = RetryAfter.parse(value, now: now) {
                #expect(wait >= .zero && wait <= RetryAfter.longestAsked, "\(value.prefix(60)): \(wait)")
                #expect(RetryAfter.honoured(wait) <= .seconds(300))
            }
        }
        #expect(RetryAfter.parse("999999999") == .seconds(999_999_999))
        #expect(RetryAfter.parse(String(repeating: "9", count: 40)) == RetryAfter.longestAsked, "saturates, is not ignored")
        #expect(RetryAfter.parse("Sun, 06 Nov 999999999 08:49:37 GMT", now: now) == nil, "beyond what Foundation reads")
        #expect(RetryAfter.parse("Fri, 31 Dec 9999 23:59:59 GMT", now: now) == RetryAfter.longestAsked)
        #expect(RetryAfter.parse("Wed, 02 Dec 2026 10:02:00 GMT", now: now) == .seconds(120))
        #expect(RetryAfter.parse("Wednesday, 02-Dec-26 10:02:00 GMT", now: now) == .seconds(120))
        #expect(RetryAfter.parse("Wed Dec  2 10:02:00 2026", now: now) == .seconds(120))
    }
}

import Pipeline
import Testing

@Suite("Flow control")
struct FlowControlTests {
    @Test("the token bucket allows the burst at once, then the rate")
    func tokenBucket() async throws {
        let bucket = TokenBucket(rate: 20, burst: 5)
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<5 { try await bucket.acquire() }
        #expect(clock.now - start < .milliseconds(200), "the burst is free (5 tokens at 20/s would take 250 ms)")
        for _ in 0..<10 { try await bucket.acquire() }
        // 10 more tokens at 20/s take ~0.5 s.
        #expect(clock.now - start >= .milliseconds(400))
    }

    @Test("a waiter parked at rate 0 (mid-rebalance) proceeds soon after the rate comes back")
    func rateComesBack() async throws {
        let bucket = TokenBucket(rate: 0, burst: 1)
        try await bucket.acquire()  // the one token of the burst
        let clock = ContinuousClock()
        let start = clock.now
        async let waited: Void = bucket.acquire()
        try await Task.sleep(for: .milliseconds(300))
        bucket.update(rate: 100, burst: 5, enabled: true)
        try await waited
        // Before the fix it slept on a debt for an hour; allow for a busy machine.
        #expect(clock.now - start < .seconds(5))
    }

    @Test("the concurrency limiter never admits more than its limit")
    func limiterBound() async throws {
        let limiter = AdaptiveConcurrencyLimiter(ceiling: 4)
        let peak = await withTaskGroup(of: Void.self) { group -> Int in
            for _ in 0..<40 {
                group.addTask {
                    try? await limiter.acquire()
                    try? await Task.sleep(for: .milliseconds(5))
                    limiter.release(.neutral)
                }
            }
            await group.waitForAll()
            return limiter.snapshot.peak
        }
        #expect(peak == 4)
        #expect(limiter.snapshot.inFlight == 0)
    }

    @Test("overload halves the limit, success grows it back, never above the ceiling")
    func adaptive() async throws {
        let limiter = AdaptiveConcurrencyLimiter(ceiling: 16, decreaseCooldown: .zero)
        try await limiter.acquire()
        limiter.release(.overload)
        #expect(limiter.snapshot.limit == 8)
        try await limiter.acquire()
        limiter.release(.overload)
        #expect(limiter.snapshot.limit == 4)
        for _ in 0..<200 {
            try await limiter.acquire()
            limiter.release(.success)
        }
        #expect(limiter.snapshot.limit == 16)
        limiter.setCeiling(6)
        #expect(limiter.snapshot.limit == 6)
    }

    @Test("the breaker opens after consecutive failures, probes once, and closes on success")
    func breaker() async throws {
        var config = CircuitBreaker.Configuration()
        config.failureThreshold = 3
        config.openDuration = .milliseconds(100)
        let breaker = CircuitBreaker(configuration: config)
        for _ in 0..<3 {
            let p = try await breaker.permit()
            breaker.record(.failure, permit: p)
        }
        #expect(breaker.state == .open)
        #expect(breaker.trips == 1)
        let probe = try await breaker.permit()
        #expect(probe == .probe)
        #expect(breaker.state == .halfOpen)
        breaker.record(.failure, permit: probe)
        #expect(breaker.state == .open, "a failed probe re-opens")
        let probe2 = try await breaker.permit()
        breaker.record(.healthy, permit: probe2)
        #expect(breaker.state == .closed)
        #expect(try await breaker.permit() == .call)
        #expect(breaker.trips == 1)
    }
}

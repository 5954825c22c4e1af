import Testing

@testable import Planning

@Suite("Capacity plan: warnings")
struct WarningTests {
    func codes(_ p: CapacityPlan) -> Set<String> { Set(p.warnings.map(\.code.name)) }

    @Test("the spec's recommended setup (20 workers, 10/s, burst 20, one member) has no warnings")
    func quiet() throws {
        #expect(try plan(users: 2_000_000).warnings.isEmpty)
        #expect(try plan(users: 50_000).warnings.isEmpty)
    }

    @Test("rate above the API's limit fires above 50/s and not at it")
    func apiRate() throws {
        let over = try plan(users: 1000) {
            $0.workers = 90
            $0.ratePerSecond = 55
            $0.burst = 20
        }
        #expect(codes(over).contains(PlanWarning.Code.rateAboveAPILimit.name))
        #expect(over.warnings.first { $0.code == .rateAboveAPILimit }?.severity == .critical)
        let at = try plan(users: 1000) {
            $0.workers = 90
            $0.ratePerSecond = 50
            $0.burst = 20
        }
        #expect(!codes(at).contains(PlanWarning.Code.rateAboveAPILimit.name))
        let custom = try plan(users: 1000) { $0.apiRateLimit = 5 }
        #expect(codes(custom).contains(PlanWarning.Code.rateAboveAPILimit.name))
    }

    @Test("burst above the API's burst fires above 30 simultaneous and not at 30")
    func apiBurst() throws {
        #expect(
            codes(
                try plan(users: 1000) {
                    $0.workers = 40
                    $0.burst = 31
                }
            ).contains("burst-above-api-burst"))
        #expect(
            !codes(
                try plan(users: 1000) {
                    $0.workers = 40
                    $0.burst = 30
                }
            ).contains("burst-above-api-burst"))
        // Without the rate limit every worker can start at once.
        #expect(
            codes(
                try plan(users: 1000) {
                    $0.workers = 31
                    $0.rateLimitEnabled = false
                }
            ).contains("burst-above-api-burst"))
        #expect(
            !codes(
                try plan(users: 1000) {
                    $0.workers = 30
                    $0.rateLimitEnabled = false
                }
            ).contains("burst-above-api-burst"))
    }

    @Test("more members than partitions is flagged; many workers per partition is not")
    func idleMembers() throws {
        #expect(
            codes(
                try plan(users: 1000) {
                    $0.members = 9
                    $0.partitions = 8
                }
            ).contains("idle-members"))
        #expect(
            !codes(
                try plan(users: 1000) {
                    $0.members = 8
                    $0.partitions = 8
                }
            ).contains("idle-members"))
        let manyWorkers = try plan(users: 1000) {
            $0.workers = 40
            $0.partitions = 2
            $0.ratePerSecond = 20
        }
        #expect(!codes(manyWorkers).contains("idle-members"))
    }

    @Test("more than 50 workers is ultra-aggressive")
    func ultraAggressive() throws {
        #expect(codes(try plan(users: 1000) { $0.workers = 51 }).contains("ultra-aggressive"))
        #expect(!codes(try plan(users: 1000) { $0.workers = 50 }).contains("ultra-aggressive"))
    }

    @Test("a disabled rate limit is flagged")
    func rateLimitDisabled() throws {
        #expect(codes(try plan(users: 1000) { $0.rateLimitEnabled = false }) == ["rate-limit-disabled"])
    }

    @Test("a run longer than the cohort interval is flagged")
    func cohort() throws {
        // 2.1M users at 5 workers: 3.3 calls/s → 175 h > 168 h.
        let long = try plan(users: 2_100_000) { $0.workers = 5 }
        #expect(codes(long).contains("outlasts-cohort-interval"))
        let short = try plan(users: 2_000_000) { $0.workers = 5 }  // 166.7 h
        #expect(!codes(short).contains("outlasts-cohort-interval"))
        #expect(codes(try plan(users: 2_000_000) { $0.cohortIntervalHours = 24 }).contains("outlasts-cohort-interval"))
    }

    @Test("latency-bound: W / L below the budget says add workers or accept")
    func latencyBound() throws {
        let p = try plan(users: 1000) { $0.workers = 10 }
        let w = try #require(p.warnings.first { $0.code == .latencyBound })
        #expect(w.message.contains("latency-bound"))
        #expect(w.message.contains("add workers (15 reach the budget) or accept"))
        #expect(!codes(try plan(users: 1000) { $0.workers = 15 }).contains("latency-bound"))
        // No budget, nothing to fall short of.
        #expect(
            !codes(
                try plan(users: 1000) {
                    $0.workers = 10
                    $0.rateLimitEnabled = false
                }
            ).contains("latency-bound"))
    }

    @Test("members' shares add up to W exactly: nothing to note")
    func rounding() throws {
        let p = try plan(users: 1000) { $0.members = 3 }
        #expect(codes(p).isEmpty)
        #expect(p.concurrentConnections == 20)
        #expect(!codes(try plan(users: 1000) { $0.members = 2 }).contains("concurrency-rounding"))
    }

    @Test("more members than workers: some are starved, with the fix")
    func starved() throws {
        let p = try plan(users: 1000) {
            $0.members = 4
            $0.workers = 2
        }
        let w = try #require(p.warnings.first { $0.code == .starvedMembers })
        #expect(w.severity == .warning)
        #expect(w.message.contains("2 member(s) hold their partitions"), "\(w.message)")
        #expect(w.message.contains("run at most 2 members or raise --workers"), "\(w.message)")
        let byBurst = try plan(users: 1000) {
            $0.members = 4
            $0.burst = 3
        }
        #expect(byBurst.warnings.first { $0.code == .starvedMembers }?.message.contains("raise --burst") == true)
    }

    @Test("observed error rate and p95 above the spec's thresholds")
    func observed() throws {
        let bad = try ObservedMetrics(exposition: sampleExposition, source: "test")
        let p = try CapacityPlan(inputs: PlanInputs(users: 1000), observed: bad)
        // 30 of 1000 calls failed: 3 % is above the 1 % warning, below the 5 % critical.
        #expect(p.warnings.first { $0.code == .highErrorRate }?.severity == .warning)
        #expect(!codes(p).contains("slow-p95"))  // p95 ≈ 3.79 s

        let slow = ObservedMetrics(
            samples: [
                .init(name: "cardgenius_api_latency_seconds_bucket", labels: ["le": "12"], value: 50),
                .init(name: "cardgenius_api_latency_seconds_bucket", labels: ["le": "+Inf"], value: 100),
                .init(name: "cardgenius_api_latency_seconds_sum", value: 600),
                .init(name: "cardgenius_api_latency_seconds_count", value: 100),
                .init(name: "cardgenius_api_calls_total", labels: ["status": "2xx"], value: 90),
                .init(name: "cardgenius_api_calls_total", labels: ["status": "503"], value: 10),
            ], source: "test")
        let q = try CapacityPlan(inputs: PlanInputs(users: 1000), observed: slow)
        #expect(q.warnings.first { $0.code == .highErrorRate }?.severity == .critical)
        #expect(q.warnings.first { $0.code == .slowP95 }?.severity == .critical)
        #expect(q.warnings.first?.severity == .critical)  // most severe first
    }
}

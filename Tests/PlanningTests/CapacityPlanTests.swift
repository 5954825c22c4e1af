import Testing

@testable import Planning

@Suite("Capacity plan: the spec's arithmetic")
struct CapacityPlanTests {
    @Test("20 workers × 1.5 s = 13.3 calls/s; 2M users ≈ 41.7 h; 50K ≈ 1.04 h (rate limit off, as the spec)")
    func specThroughput() throws {
        let p = try plan(users: 2_000_000) { $0.rateLimitEnabled = false }
        #expect(approx(p.callsPerSecond, 40.0 / 3))
        #expect(p.binding == .latency)
        #expect(approx(p.durationSeconds, 150_000, 1e-6))
        #expect(approx(p.durationHours, 41.666, 0.001))
        #expect(PlanFormat.hoursMinutes(p.durationSeconds) == "41:40")
        #expect(approx(p.usersPerMinute, 800, 1e-9))
        #expect(p.totalRequests == 2_000_000)

        let weekly = try plan(users: 50_000) { $0.rateLimitEnabled = false }
        #expect(approx(weekly.durationHours, 1.0417, 0.0001))
        #expect(PlanFormat.hoursMinutes(weekly.durationSeconds) == "1:03")  // 1 h 2.5 min, rounded
    }

    @Test(
        "§10 presets: 5/10/20/50 workers → 3.3/6.7/13.3/33.3 calls/s; 200K in 16.7/8.3/4.2/1.7 h",
        arguments: [(5, 3.333, 16.67), (10, 6.667, 8.333), (20, 13.333, 4.167), (50, 33.333, 1.667)])
    func presets(workers: Int, callsPerSecond: Double, hours: Double) throws {
        let p = try plan(users: 200_000) {
            $0.workers = workers
            $0.rateLimitEnabled = false
        }
        #expect(approx(p.callsPerSecond, callsPerSecond, 0.001))
        #expect(approx(p.durationHours, hours, 0.01))
        #expect(p.concurrentConnections == workers)
    }

    @Test("default rate budget 10/s binds over 20 workers at 1.5 s")
    func rateBound() throws {
        let p = try plan(users: 2_000_000)
        #expect(p.binding == .rateBudget)
        #expect(p.rateBudget == 10)
        #expect(approx(p.callsPerSecond, 10))
        #expect(approx(p.latencyCapacity, 40.0 / 3))
        #expect(approx(p.durationHours, 2_000_000 / 10 / 3600.0))
        #expect(approx(p.usersPerMinute, 600))
    }

    @Test("latency binds when W / L is below the rate budget")
    func latencyBound() throws {
        let p = try plan(users: 1000) {
            $0.workers = 10
            $0.ratePerSecond = 10
        }
        #expect(p.binding == .latency)
        #expect(approx(p.callsPerSecond, 10 / 1.5))
        #expect(p.workersForBudget == 15)
    }

    @Test("bandwidth: 13 calls/s × 500 B = 6.5 KB/s, × 35 KB = 455 KB/s ≈ 3.6 Mbps; peak 20 × 35 KB = 700 KB")
    func bandwidthAtThirteen() throws {
        // The spec rounds to 13 calls/s; 13 × 1.5 s = 19.5 in flight, so use a 13/s budget.
        let p = try plan(users: 2_000_000) { $0.ratePerSecond = 13 }
        #expect(approx(p.callsPerSecond, 13))
        #expect(approx(p.outboundBytesPerSecond, 6_500))
        #expect(approx(p.outboundBytesPerSecond * 8 / 1000, 52))  // 52 Kbps
        #expect(approx(p.inboundBytesPerSecond, 455_000))
        #expect(approx(p.inboundBytesPerSecond * 8 / 1e6, 3.64))
        #expect(p.peakSimultaneousRequests == 20)
        #expect(approx(p.outboundBurstBytes, 10_000))
        #expect(approx(p.inboundBurstBytes, 700_000))
        #expect(approx(p.inboundBurstBytes * 8 / 1e6, 5.6))
        // The spec's "70 GB inbound per day" is the 2M run's total; per 24 h at 13/s it is 39.3 GB.
        #expect(approx(p.inboundBytesTotal, 70e9))
        #expect(approx(p.outboundBytesTotal, 1e9))
        #expect(approx(p.inboundBytesPerDay, 13 * 35_000 * 86_400))
        #expect(approx(p.inboundBytesPerDay / 1e9, 39.312, 1e-6))
    }

    @Test("exact 13.3 calls/s: ~40 GB/day inbound, 70 GB for the 2M run")
    func bandwidthExact() throws {
        let p = try plan(users: 2_000_000) { $0.rateLimitEnabled = false }
        #expect(approx(p.inboundBytesPerDay / 1e9, 40.32, 1e-6))
        #expect(approx(p.inboundBytesTotal / 1e9, 70))
        #expect(approx(p.inboundBytesPerSecond / 1000, 466.67, 0.01))
    }

    @Test("load on CardGenius (§6.1): 20 concurrent → 200 MB, 0.2 / 0.4 backends; CPU 50 ms × calls/s")
    func apiLoad() throws {
        let p = try plan(users: 1000) { $0.rateLimitEnabled = false }
        #expect(p.concurrentConnections == 20)
        #expect(approx(p.apiMemoryMB, 200))
        #expect(approx(p.apiCPUCores, 0.05 * 40 / 3))
        #expect(approx(p.backendsAt100Concurrent, 0.2))
        #expect(approx(p.backendsAt50Concurrent, 0.4))
    }

    @Test("peak burst is capped by the token bucket's burst when the rate limit is on")
    func peakBurst() throws {
        #expect(
            try plan(users: 10) {
                $0.workers = 40
                $0.burst = 20
            }.peakSimultaneousRequests == 20)
        #expect(
            try plan(users: 10) {
                $0.workers = 40
                $0.rateLimitEnabled = false
            }.peakSimultaneousRequests == 40)
        #expect(
            try plan(users: 10) {
                $0.workers = 5
                $0.burst = 20
            }.peakSimultaneousRequests == 5)
    }

    @Test("error rate with retries: 1 + e + e² calls per user for 3 attempts")
    func retries() throws {
        let p = try plan(users: 1000) { $0.errorRate = 0.1 }
        #expect(approx(p.attemptsPerUser, 1.11))
        #expect(approx(p.totalRequests, 1110))
        #expect(approx(p.usersPerMinute, 600 / 1.11))
    }
}

@Suite("Capacity plan: member split")
struct MemberSplitTests {
    @Test("3 members over 8 partitions own 3,3,2; W=20, R=10 → 8,7,5 in flight and 3.75,3.75,2.5 calls/s")
    func threeOverEight() throws {
        let p = try plan(users: 10_000) {
            $0.members = 3
            $0.partitions = 8
        }
        #expect(p.partitionSplit == [3, 3, 2])
        #expect(p.members.map(\.maxInFlight) == [8, 7, 5])
        #expect(p.members.map(\.ratePerSecond) == [3.75, 3.75, 2.5])
        #expect(p.members.map(\.burst) == [7.5, 7.5, 5])
        #expect(p.concurrentConnections == 20)
        #expect(approx(p.callsPerSecond, 10))
        #expect(p.binding == .rateBudget)
        #expect(p.peakSimultaneousRequests == 7 + 7 + 5)
    }

    @Test("one member owns everything and gets the whole budget")
    func single() throws {
        let p = try plan(users: 10)
        #expect(p.partitionSplit == [8])
        #expect(p.members.first?.maxInFlight == 20)
        #expect(p.members.first?.ratePerSecond == 10)
    }

    @Test("more members than partitions leaves members idle; more members than workers leaves members starved")
    func idle() throws {
        let p = try plan(users: 10) {
            $0.members = 5
            $0.partitions = 3
            $0.workers = 2
        }
        #expect(p.partitionSplit == [1, 1, 1, 0, 0])
        #expect(p.idleMembers == 2)
        #expect(p.starvedMembers == 1)
        #expect(p.members.map(\.maxInFlight) == [1, 1, 0, 0, 0])
        #expect(p.concurrentConnections == 2)
        let warning = try #require(p.warnings.first { $0.code == .starvedMembers })
        #expect(warning.message.contains("run at most 2 members or raise --workers"), "\(warning.message)")
    }

    @Test("4 members over 8 partitions with 2 workers: 2 in flight in all, never 4, and a warning")
    func moreMembersThanWorkers() throws {
        let p = try plan(users: 100) {
            $0.members = 4
            $0.partitions = 8
            $0.workers = 2
        }
        #expect(p.members.map(\.maxInFlight) == [1, 1, 0, 0])
        #expect(p.concurrentConnections == 2)
        #expect(p.warnings.contains { $0.code == .starvedMembers })
        let fine = try plan(users: 100) {
            $0.members = 2
            $0.partitions = 8
            $0.workers = 2
        }
        #expect(!fine.warnings.contains { $0.code == .starvedMembers })
    }

    @Test("members without a rate budget run at in-flight ÷ latency")
    func noRateLimit() throws {
        let p = try plan(users: 10) {
            $0.members = 3
            $0.rateLimitEnabled = false
        }
        #expect(approx(p.callsPerSecond, 20 / 1.5))
    }

    @Test("partition counts", arguments: [(1, 8, [8]), (2, 8, [4, 4]), (3, 8, [3, 3, 2]), (3, 3, [1, 1, 1]), (4, 2, [1, 1, 0, 0])])
    func counts(members: Int, partitions: Int, expected: [Int]) {
        #expect(MemberShare.partitionCounts(members: members, partitions: partitions) == expected)
    }
}

@Suite("Plan inputs: validation")
struct PlanInputsValidationTests {
    /// Inputs with one bad figure, and the flag the error must name.
    static let badInputs: [(flag: String, inputs: PlanInputs)] = {
        func bad(_ flag: String, _ change: (inout PlanInputs) -> Void) -> (flag: String, inputs: PlanInputs) {
            var inputs = PlanInputs(users: 100)
            change(&inputs)
            return (flag, inputs)
        }
        return [
            bad("--users") { $0.users = 0 },
            bad("--users") { $0.users = -5 },
            bad("--workers") { $0.workers = 0 },
            bad("--workers") { $0.workers = Int.max },
            bad("--latency-s") { $0.latencySeconds = 0 },
            bad("--latency-s") { $0.latencySeconds = -1 },
            bad("--latency-s") { $0.latencySeconds = .nan },
            bad("--latency-s") { $0.latencySeconds = .infinity },
            bad("--latency-s") { $0.latencySeconds = .leastNonzeroMagnitude },
            bad("--latency-s") { $0.latencySeconds = 1e9 },
            bad("--rate") { $0.ratePerSecond = 0 },
            bad("--rate") { $0.ratePerSecond = 1e300 },
            bad("--burst") { $0.burst = 0.5 },
            bad("--request-bytes") { $0.requestBytes = -1 },
            bad("--response-kb") { $0.responseKB = .nan },
            bad("--members") { $0.members = 0 },
            bad("--members") { $0.members = Int.max },
            bad("--partitions") { $0.partitions = 0 },
            bad("--cohort-interval-hours") { $0.cohortIntervalHours = 0 },
            bad("--api-rate-limit") { $0.apiRateLimit = -.infinity },
            bad("--api-burst") { $0.apiBurst = 0 },
        ]
    }()

    @Test("bad input names the flag", arguments: badInputs)
    func rejects(flag: String, inputs: PlanInputs) {
        #expect {
            try CapacityPlan(inputs: inputs)
        } throws: { error in
            guard let e = error as? PlanningError else { return false }
            return e.subject == .flag(flag) && e.description.hasPrefix(flag + ": ") && !e.description.contains("\n")
        }
    }

    @Test("extreme but valid inputs give finite figures and never trap")
    func extremes() throws {
        let big = try plan(users: 1_000_000_000_000) {
            $0.workers = 1_000_000
            $0.latencySeconds = 1e-6
            $0.ratePerSecond = 1e6
            $0.burst = 1e9
            $0.members = 10_000
            $0.partitions = 100_000
            $0.responseKB = 1e9
        }
        #expect(big.callsPerSecond.isFinite && big.durationSeconds.isFinite)
        #expect(!big.renderTable().isEmpty && !big.renderJSON().isEmpty && !big.renderNotice().isEmpty)
        let slow = try plan(users: 1) {
            $0.workers = 1
            $0.latencySeconds = 86_400
            $0.ratePerSecond = 1e6
        }
        #expect(slow.workersForBudget == 86_400_000_000)
        #expect(slow.warnings.contains { $0.code == .latencyBound })
        let tiny = try plan(users: 1) {
            $0.workers = 1
            $0.latencySeconds = 1e-6
            $0.ratePerSecond = 1e-3
        }
        #expect(tiny.workersForBudget == 1)
    }

    @Test("defaults are valid and match the spec")
    func defaults() throws {
        let i = PlanInputs(users: 1)
        try i.validate()
        #expect(i.workers == 20 && i.latencySeconds == 1.5 && i.rateLimitEnabled && i.ratePerSecond == 10)
        #expect(i.burst == 20 && i.requestBytes == 500 && i.responseKB == 35 && i.members == 1 && i.partitions == 8)
        #expect(i.cohortIntervalHours == 168 && i.apiRateLimit == 50 && i.apiBurst == 30)
    }

    @Test("a non-finite error is reported as notFinite")
    func codes() {
        var i = PlanInputs(users: 1)
        i.latencySeconds = .nan
        #expect(throws: PlanningError.self) { try i.validate() }
        do { try i.validate() } catch { #expect(error.code == .notFinite) }
    }
}

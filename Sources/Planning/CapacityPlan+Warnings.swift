extension CapacityPlan {
    /// Workers above which a plan is "ultra-aggressive" (spec §10.1, and the load balancer's
    /// `per_client_max: 50` connections, §6.2).
    package static let ultraAggressiveWorkers = 50

    /// Error rates at which the spec alerts (§7.2).
    package static let errorRateWarning = 0.01
    /// Critical error rate (§7.2).
    package static let errorRateCritical = 0.05
    /// p95 latencies at which the spec alerts (§7.2), seconds.
    package static let p95Warning = 5.0
    /// Critical p95 latency (§7.2), seconds.
    package static let p95Critical = 10.0

    /// Everything about this plan the load spec warns about, most severe first.
    package var warnings: [PlanWarning] {
        var out: [PlanWarning] = []
        let f = PlanFormat.self

        if callsPerSecond > inputs.apiRateLimit {
            out.append(
                PlanWarning(
                    code: .rateAboveAPILimit, severity: .critical,
                    message:
                        "\(f.fixed(callsPerSecond, 1)) requests/s is above the API's limit of \(f.number(inputs.apiRateLimit))/s: expect 429s; lower --rate or --workers"
                ))
        }
        if Double(peakSimultaneousRequests) > inputs.apiBurst {
            out.append(
                PlanWarning(
                    code: .burstAboveAPIBurst, severity: .critical,
                    message:
                        "bursts of \(peakSimultaneousRequests) simultaneous requests exceed the API's burst of \(f.number(inputs.apiBurst)): expect 429s at start-up; lower --burst (with the rate limit on) or --workers"
                ))
        }
        if idleMembers > 0 {
            out.append(
                PlanWarning(
                    code: .idleMembers, severity: .warning,
                    message:
                        "\(inputs.members) members over \(inputs.partitions) partitions: \(idleMembers) member(s) own no partition and sit idle; add partitions or run fewer members"
                ))
        }
        if starvedMembers > 0 {
            let carriers = MemberShare.carriers(inputs)
            let byBurst = inputs.rateLimitEnabled && carriers < min(inputs.workers, inputs.partitions)
            let budget = byBurst ? "a burst of \(f.number(inputs.burst)) (whole calls)" : "\(inputs.workers) workers"
            out.append(
                PlanWarning(
                    code: .starvedMembers, severity: .warning,
                    message:
                        "\(inputs.members) members but \(budget): only \(carriers) can have a share (the group never exceeds its budgets), \(starvedMembers) member(s) hold their partitions and do nothing (not ready, cardgenius_member_starved); run at most \(carriers) members or raise \(byBurst ? "--burst" : "--workers")"
                ))
        }
        if inputs.workers > Self.ultraAggressiveWorkers {
            out.append(
                PlanWarning(
                    code: .ultraAggressive, severity: .warning,
                    message:
                        "\(inputs.workers) workers is beyond the spec's ultra-aggressive \(Self.ultraAggressiveWorkers) (and the load balancer's 50 connections per client): needs CardGenius's approval"
                ))
        }
        if !inputs.rateLimitEnabled {
            out.append(
                PlanWarning(
                    code: .rateLimitDisabled, severity: .warning,
                    message:
                        "client-side rate limit disabled: nothing caps requests/s if latency drops (spec §10.2 recommends enabling it, e.g. 10/s, burst 20)"))
        }
        if durationHours > inputs.cohortIntervalHours {
            out.append(
                PlanWarning(
                    code: .outlastsCohortInterval, severity: .warning,
                    message:
                        "the run takes \(f.fixed(durationHours, 1)) h, longer than the \(f.number(inputs.cohortIntervalHours)) h until the next cohort: add workers, raise the rate, or split the run"
                ))
        }
        if let budget = rateBudget, binding == .latency {
            var advice = "add workers or accept"
            if inputs.members == 1, let needed = workersForBudget {
                advice = "add workers (\(needed) reach the budget) or accept"
            }
            out.append(
                PlanWarning(
                    code: .latencyBound, severity: .info,
                    message:
                        "latency-bound: \(concurrentConnections) in flight ÷ \(f.fixed(latencySeconds, 2)) s = \(f.fixed(callsPerSecond, 1)) calls/s, below the rate budget of \(f.number(budget))/s; \(advice)"
                ))
        }
        if concurrentConnections != inputs.workers {
            let why =
                concurrentConnections < inputs.workers
                ? "each member's share is rounded down"
                : "more than the workers"
            out.append(
                PlanWarning(
                    code: .concurrencyRounding, severity: .info,
                    message: "members' concurrency shares add up to \(concurrentConnections), not \(inputs.workers) workers (\(why))"))
        }
        if observations?.errorRateObserved == true, errorRate > Self.errorRateWarning {
            out.append(
                PlanWarning(
                    code: .highErrorRate, severity: errorRate > Self.errorRateCritical ? .critical : .warning,
                    message:
                        "observed error rate \(f.percent(errorRate)) is above the spec's \(errorRate > Self.errorRateCritical ? "critical 5 %" : "warning 1 %"): retries make \(f.fixed(attemptsPerUser, 2)) calls per user"
                ))
        }
        if let p95 = observations?.metrics.p95LatencySeconds, p95 > Self.p95Warning {
            out.append(
                PlanWarning(
                    code: .slowP95, severity: p95 > Self.p95Critical ? .critical : .warning,
                    message: "observed p95 latency \(f.fixed(p95, 2)) s is above the spec's \(p95 > Self.p95Critical ? "critical 10 s" : "warning 5 s")"))
        }
        return out.enumerated()
            .sorted { a, b in a.element.severity != b.element.severity ? a.element.severity > b.element.severity : a.offset < b.offset }
            .map(\.element)
    }
}

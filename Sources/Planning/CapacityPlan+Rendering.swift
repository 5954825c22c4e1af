import Foundation

extension CapacityPlan {
    // MARK: Table

    /// The plan as a readable, aligned table (what `cardgenius plan` prints).
    package func renderTable() -> String {
        let f = PlanFormat.self
        var sections: [String] = []
        let latencyNote: String
        if let obs = observations, obs.latencyObserved {
            var note = "observed mean from \(obs.source)"
            if let p95 = obs.metrics.p95LatencySeconds { note += "; p95 \(f.fixed(p95, 2)) s" }
            latencyNote = note
        } else {
            latencyNote = "assumed"
        }
        let errorNote = observations?.errorRateObserved == true ? "observed" : "assumed"

        sections.append("cardgenius plan: \(f.grouped(inputs.users)) users")

        var t = TextTable()
        t.add("workers (W)", "\(inputs.workers)")
        t.add("latency (L)", "\(f.fixed(latencySeconds, 2)) s (\(latencyNote))")
        t.add(
            "rate budget",
            inputs.rateLimitEnabled
                ? "\(f.number(inputs.ratePerSecond)) calls/s, burst \(f.number(inputs.burst))" : "disabled")
        t.add("error rate", "\(f.percent(errorRate)) (\(errorNote)), up to \(inputs.maxAttempts) attempts per user")
        t.add("members / partitions", "\(inputs.members) / \(inputs.partitions)")
        t.add("request / response", "\(f.number(inputs.requestBytes)) B / \(f.number(inputs.responseKB)) KB")
        t.add("API limit", "\(f.number(inputs.apiRateLimit)) requests/s, burst \(f.number(inputs.apiBurst))")
        sections.append("Inputs\n" + t.render())

        t = TextTable()
        let bindingText: String
        switch binding {
        case .rateBudget:
            bindingText = "rate budget binds; workers could do \(f.fixed(latencyCapacity, 1))/s"
        case .latency:
            bindingText =
                rateBudget.map { "latency binds; budget \(f.number($0))/s not reached" }
                ?? "latency binds (\(concurrentConnections) in flight ÷ \(f.fixed(latencySeconds, 2)) s); no rate budget"
        }
        t.add("effective calls/s", "\(f.fixed(callsPerSecond, 1))", "(\(bindingText))")
        t.add("duration", "\(f.hoursMinutes(durationSeconds)) h:mm", "(\(f.fixed(durationHours, 2)) h)")
        t.add("users/min", f.fixed(usersPerMinute, 0))
        t.add("total API calls", f.count(totalRequests), attemptsPerUser > 1 ? "(\(f.fixed(attemptsPerUser, 3)) per user)" : "")
        t.add("concurrent connections", "\(concurrentConnections)")
        sections.append("Throughput\n" + t.render())

        t = TextTable()
        t.add("member", "partitions", "in-flight", "rate/s", "burst", "calls/s")
        for m in members {
            t.add(
                "\(m.member)", "\(m.partitions)", "\(m.maxInFlight)",
                inputs.rateLimitEnabled ? f.fixed(m.ratePerSecond, 2) : "-",
                inputs.rateLimitEnabled ? f.fixed(m.burst, 1) : "-",
                f.fixed(m.callsPerSecond, 2))
        }
        sections.append(
            "Members (\(inputs.members) over \(inputs.partitions) partitions: \(partitionSplit.map(String.init).joined(separator: ",")))\n" + t.render())

        t = TextTable()
        t.add("", "sustained", "burst (\(peakSimultaneousRequests) at once)", "per day (24 h)", "run total")
        t.add(
            "outbound", "\(f.kbPerSecond(outboundBytesPerSecond)) = \(f.mbps(outboundBytesPerSecond))",
            "\(f.bytes(outboundBurstBytes)) = \(f.mbps(outboundBurstBytes)) over 1 s",
            f.bytes(outboundBytesPerDay), f.bytes(outboundBytesTotal))
        t.add(
            "inbound", "\(f.kbPerSecond(inboundBytesPerSecond)) = \(f.mbps(inboundBytesPerSecond))",
            "\(f.bytes(inboundBurstBytes)) = \(f.mbps(inboundBurstBytes)) over 1 s",
            f.bytes(inboundBytesPerDay), f.bytes(inboundBytesTotal))
        sections.append("Bandwidth\n" + t.render())

        t = TextTable()
        t.add("requests/s", "\(f.fixed(callsPerSecond, 1)) sustained, \(peakSimultaneousRequests) peak (burst)")
        t.add("concurrent requests", "\(concurrentConnections)")
        t.add("CPU", "\(f.fixed(apiCPUCores, 2)) cores (50 ms × \(f.fixed(callsPerSecond, 1))/s)")
        t.add("memory", "\(f.number(apiMemoryMB)) MB (10 MB × \(concurrentConnections))")
        t.add("backends", "\(f.number(backendsAt100Concurrent)) at 100 concurrent each, \(f.number(backendsAt50Concurrent)) at 50")
        sections.append("Load on CardGenius\n" + t.render())

        let warnings = self.warnings
        sections.append("Warnings\n" + (warnings.isEmpty ? "  none" : warnings.map { "  - \($0)" }.joined(separator: "\n")))
        return sections.joined(separator: "\n\n")
    }

    // MARK: JSON

    /// The plan as pretty-printed JSON with sorted snake_case keys:
    /// `inputs`, `throughput`, `members`, `bandwidth`, `api_load`, `observed`, `warnings`
    /// (and `notice` when `includeNotice`).
    package func renderJSON(includeNotice: Bool = false) -> String {
        let report = JSONReport(plan: self, notice: includeNotice ? renderNotice() : nil)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "+Inf", negativeInfinity: "-Inf", nan: "NaN")
        // Every field is a plain value type with finite numbers (validated), so this cannot fail.
        let data = (try? encoder.encode(report)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    private struct JSONReport: Encodable {
        struct Throughput: Encodable {
            var callsPerSecond: Double
            var binding: Binding
            var rateBudget: Double?
            var latencyCapacity: Double
            var latencySeconds: Double
            var latencyObserved: Bool
            var errorRate: Double
            var errorRateObserved: Bool
            var attemptsPerUser: Double
            var totalRequests: Double
            var durationSeconds: Double
            var durationHours: Double
            var durationHm: String
            var usersPerMinute: Double
        }
        struct Bandwidth: Encodable {
            var concurrentConnections: Int
            var peakSimultaneousRequests: Int
            var outboundKBPerSecond: Double
            var outboundMbps: Double
            var inboundKBPerSecond: Double
            var inboundMbps: Double
            var outboundBurstKB: Double
            var inboundBurstKB: Double
            var outboundGBPerDay: Double
            var inboundGBPerDay: Double
            var outboundGBTotal: Double
            var inboundGBTotal: Double
        }
        struct APILoad: Encodable {
            var requestsPerSecondSustained: Double
            var requestsPeak: Int
            var concurrentRequests: Int
            var cpuCores: Double
            var memoryMB: Double
            var backendsAt100Concurrent: Double
            var backendsAt50Concurrent: Double

            enum CodingKeys: String, CodingKey {
                case requestsPerSecondSustained, requestsPeak, concurrentRequests, cpuCores, memoryMB
                case backendsAt100Concurrent = "backends_at_100_concurrent"
                case backendsAt50Concurrent = "backends_at_50_concurrent"
            }
        }
        var inputs: PlanInputs
        var throughput: Throughput
        var members: [MemberShare]
        var partitionSplit: [Int]
        var bandwidth: Bandwidth
        var apiLoad: APILoad
        var observed: Observations?
        var observedFigures: [String]
        var warnings: [PlanWarning]
        var notice: String?

        init(plan p: CapacityPlan, notice: String?) {
            inputs = p.inputs
            throughput = Throughput(
                callsPerSecond: p.callsPerSecond, binding: p.binding, rateBudget: p.rateBudget,
                latencyCapacity: p.latencyCapacity, latencySeconds: p.latencySeconds,
                latencyObserved: p.observations?.latencyObserved ?? false,
                errorRate: p.errorRate, errorRateObserved: p.observations?.errorRateObserved ?? false,
                attemptsPerUser: p.attemptsPerUser, totalRequests: p.totalRequests,
                durationSeconds: p.durationSeconds, durationHours: p.durationHours,
                durationHm: PlanFormat.hoursMinutes(p.durationSeconds), usersPerMinute: p.usersPerMinute)
            members = p.members
            partitionSplit = p.partitionSplit
            bandwidth = Bandwidth(
                concurrentConnections: p.concurrentConnections, peakSimultaneousRequests: p.peakSimultaneousRequests,
                outboundKBPerSecond: p.outboundBytesPerSecond / 1000, outboundMbps: p.outboundBytesPerSecond * 8 / 1e6,
                inboundKBPerSecond: p.inboundBytesPerSecond / 1000, inboundMbps: p.inboundBytesPerSecond * 8 / 1e6,
                outboundBurstKB: p.outboundBurstBytes / 1000, inboundBurstKB: p.inboundBurstBytes / 1000,
                outboundGBPerDay: p.outboundBytesPerDay / 1e9, inboundGBPerDay: p.inboundBytesPerDay / 1e9,
                outboundGBTotal: p.outboundBytesTotal / 1e9, inboundGBTotal: p.inboundBytesTotal / 1e9)
            apiLoad = APILoad(
                requestsPerSecondSustained: p.callsPerSecond, requestsPeak: p.peakSimultaneousRequests,
                concurrentRequests: p.concurrentConnections, cpuCores: p.apiCPUCores, memoryMB: p.apiMemoryMB,
                backendsAt100Concurrent: p.backendsAt100Concurrent, backendsAt50Concurrent: p.backendsAt50Concurrent)
            observed = p.observations
            var figures: [String] = []
            if p.observations?.latencyObserved == true { figures.append("latency_seconds") }
            if p.observations?.errorRateObserved == true { figures.append("error_rate") }
            observedFigures = figures
            warnings = p.warnings
            self.notice = notice
        }
    }

    // MARK: Notice (spec §11.1)

    /// The phases of the rollout named in the notice: the spec's 100 users on 5 workers and
    /// 5K users on 10 workers (never more than the full run), then the full run.
    package var noticePhases: [(name: String, plan: CapacityPlan)] {
        func phase(users: Int, workers: Int) -> CapacityPlan {
            var i = inputs
            i.users = min(users, inputs.users)
            i.workers = min(workers, inputs.workers)
            // Same inputs with fewer users/workers: still valid, so this cannot throw.
            return (try? CapacityPlan(inputs: i, observed: observations?.metrics)) ?? self
        }
        return [
            ("Testing", phase(users: 100, workers: 5)),
            ("Small batch", phase(users: 5_000, workers: 10)),
            ("Full batch", self),
        ]
    }

    /// The spec's §11.1 notification to the CardGenius team, filled in from this plan.
    /// `[Date]` placeholders are left for a person to fill.
    package func renderNotice() -> String {
        let f = PlanFormat.self
        let hours = durationHours
        var duration = "about \(f.fixed(hours, 1)) hours (\(f.hoursMinutes(durationSeconds)) h:mm)"
        if hours >= 24 { duration += ", \(f.fixed(hours / 24, 1)) days" }
        duration += " continuous (for the \(f.grouped(inputs.users))-user run)"
        let rateLine =
            inputs.rateLimitEnabled
            ? "capped client-side at \(f.number(inputs.ratePerSecond))/s, burst \(f.number(inputs.burst))"
            : "no client-side rate cap"
        let phases = noticePhases
        let loads = ["low load", "medium load", "full load"]
        let timeline = phases.enumerated().map { i, p in
            "- \(p.name): [Date] - \(f.grouped(p.plan.inputs.users)) users (\(p.plan.inputs.workers) workers, \(loads[i]), ~\(f.fixed(p.plan.callsPerSecond, 1)) requests/s, about \(f.duration(p.plan.durationSeconds)))"
        }.joined(separator: "\n")
        let observedNote =
            observations.map { obs in
                var parts: [String] = []
                if obs.latencyObserved { parts.append("mean latency \(f.fixed(latencySeconds, 2)) s") }
                if obs.errorRateObserved { parts.append("error rate \(f.percent(errorRate))") }
                return parts.isEmpty ? "" : "\n(Figures based on observed \(parts.joined(separator: " and ")) from a running member.)\n"
            } ?? ""

        return """
            Subject: High-Volume API Usage Notification - CardGenius Recommendations

            Hi CardGenius Team,

            We're implementing parallel processing for card recommendations and will be 
            making significantly more API calls to your endpoints.

            Expected Load:
            - Endpoint: \(inputs.endpoint)
            - Concurrent connections: \(concurrentConnections)
            - Requests per second: ~\(f.fixed(callsPerSecond, 1)) sustained (peak burst \(peakSimultaneousRequests); \(rateLine))
            - Duration: \(duration)
            - Total requests: \(f.count(totalRequests.rounded()))
            \(observedNote)
            Timeline:
            \(timeline)

            Questions:
            1. Are there any rate limits we should be aware of?
            2. Should we use a specific User-Agent header?
            3. Do you need us to come from specific IP addresses?
            4. Is your load balancer configured for this load?
            5. Should we schedule this during off-peak hours?

            Please let us know if you have any concerns or need us to adjust our approach.

            Best regards,
            CashKaro Team
            """
    }
}

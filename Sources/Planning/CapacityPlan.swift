import Foundation

/// Everything a run will do, computed from ``PlanInputs`` (and, optionally, figures observed
/// on a running member): throughput and duration, each member's share, bandwidth, the load on
/// CardGenius, and warnings (``warnings``).
///
/// A pure value: no I/O, no clock. Units are decimal as in the DevOps load spec
/// (1 KB = 1000 bytes, 1 GB = 10⁹ bytes, 1 Mbps = 10⁶ bits/s).
///
/// The throughput model is Little's law per member: a member with `c` calls in flight at
/// `L` seconds each can make `c / L` calls per second, and its token bucket lets it start at
/// most its rate share; the group makes the sum. With one member that is
/// `min(rate, W / L)`, e.g. `min(10, 20 / 1.5) = 10` (rate-bound) or, with the rate budget
/// disabled, `20 / 1.5 = 13.3` calls/s, the spec's figure.
package struct CapacityPlan: Sendable, Equatable, Codable {
    /// What bounds the effective call rate.
    package enum Binding: String, Sendable, Codable {
        /// The client-side rate budget: workers could go faster.
        case rateBudget = "rate-budget"
        /// Workers ÷ latency: the budget (if any) is not reached.
        case latency
    }

    /// Which figures were measured on a running member instead of assumed.
    package struct Observations: Sendable, Equatable, Codable {
        /// Where they were read from.
        package var source: String
        /// Whether ``CapacityPlan/latencySeconds`` is the observed mean.
        package var latencyObserved: Bool
        /// Whether ``CapacityPlan/errorRate`` is the observed error rate.
        package var errorRateObserved: Bool
        /// The metrics as read.
        package var metrics: ObservedMetrics
    }

    /// The inputs, as given (the assumed latency and error rate included).
    package var inputs: PlanInputs
    /// Observed figures used instead of the assumptions, if metrics were given.
    package var observations: Observations?

    // MARK: Throughput

    /// The latency the plan uses: the observed mean if available, else the assumption.
    package var latencySeconds: Double
    /// The error rate the plan uses: observed if available, else the input (0 by default).
    package var errorRate: Double
    /// Expected API calls per user: `1 + e + e² + …` up to ``PlanInputs/maxAttempts`` terms.
    package var attemptsPerUser: Double
    /// Expected API calls for the whole run (`users × attemptsPerUser`).
    package var totalRequests: Double
    /// The group's rate budget in calls/s, or nil when disabled.
    package var rateBudget: Double?
    /// What the workers can do: total in-flight slots ÷ latency, calls/s.
    package var latencyCapacity: Double
    /// Calls per second the group will make.
    package var callsPerSecond: Double
    /// Which of the two limits binds.
    package var binding: Binding
    /// Seconds the run takes at ``callsPerSecond``.
    package var durationSeconds: Double
    /// Users finished per minute.
    package var usersPerMinute: Double

    // MARK: Members

    /// Each member's share of the budgets.
    package var members: [MemberShare]
    /// API calls in flight across the group (the sum of member shares; W with one member).
    package var concurrentConnections: Int
    /// Requests that can start at the same instant: the in-flight slots, capped by the
    /// token buckets' bursts when the rate budget is enabled (buckets start full).
    package var peakSimultaneousRequests: Int

    // MARK: Bandwidth

    /// Outbound (requests) sustained, bytes per second.
    package var outboundBytesPerSecond: Double
    /// Inbound (responses) sustained, bytes per second.
    package var inboundBytesPerSecond: Double
    /// Outbound bytes of one burst of simultaneous requests.
    package var outboundBurstBytes: Double
    /// Inbound bytes of one burst of simultaneous responses.
    package var inboundBurstBytes: Double
    /// Outbound bytes per day at the sustained rate (24 h).
    package var outboundBytesPerDay: Double
    /// Inbound bytes per day at the sustained rate (24 h).
    package var inboundBytesPerDay: Double
    /// Outbound bytes for the whole run.
    package var outboundBytesTotal: Double
    /// Inbound bytes for the whole run.
    package var inboundBytesTotal: Double

    // MARK: Load on CardGenius (spec §6.1)

    /// Server CPU in cores: 50 ms per request × requests/s.
    package var apiCPUCores: Double
    /// Server memory in MB: 10 MB per concurrent request.
    package var apiMemoryMB: Double
    /// Backends needed if each handles 100 concurrent requests.
    package var backendsAt100Concurrent: Double
    /// Backends needed if each handles 50 concurrent requests.
    package var backendsAt50Concurrent: Double

    /// Server CPU per request (spec §6.1).
    package static let apiCPUSecondsPerRequest = 0.050
    /// Server memory per concurrent request in MB (spec §6.1).
    package static let apiMemoryMBPerRequest = 10.0

    /// Computes the plan. Validates the inputs first.
    ///
    /// - Parameter observed: metrics from a running member; its mean latency and error rate
    ///   replace the assumptions when present (a mean of 0 or a non-finite one is ignored).
    package init(inputs: PlanInputs, observed: ObservedMetrics? = nil) throws(PlanningError) {
        try inputs.validate()
        self.inputs = inputs

        var latency = inputs.latencySeconds
        var errorRate = inputs.errorRate
        if let observed {
            var latencyObserved = false
            var errorRateObserved = false
            if let mean = observed.meanLatencySeconds, mean.isFinite, mean > 0 {
                latency = mean
                latencyObserved = true
            }
            if let rate = observed.errorRate, rate.isFinite, (0...1).contains(rate) {
                errorRate = rate
                errorRateObserved = true
            }
            observations = Observations(
                source: observed.source, latencyObserved: latencyObserved,
                errorRateObserved: errorRateObserved, metrics: observed)
        } else {
            observations = nil
        }
        latencySeconds = latency
        self.errorRate = errorRate

        attemptsPerUser = (0..<inputs.maxAttempts).reduce(0.0) { sum, k in sum + pow(errorRate, Double(k)) }
        totalRequests = Double(inputs.users) * attemptsPerUser

        members = MemberShare.split(inputs, latencySeconds: latency)
        concurrentConnections = members.reduce(0) { $0 + $1.maxInFlight }
        rateBudget = inputs.rateLimitEnabled ? inputs.ratePerSecond : nil
        latencyCapacity = Double(concurrentConnections) / latency
        callsPerSecond = members.reduce(0.0) { $0 + $1.callsPerSecond }
        if let budget = rateBudget, callsPerSecond >= budget * (1 - 1e-9) {
            binding = .rateBudget
        } else {
            binding = .latency
        }
        durationSeconds = totalRequests / callsPerSecond
        usersPerMinute = callsPerSecond / attemptsPerUser * 60

        if inputs.rateLimitEnabled {
            peakSimultaneousRequests = members.reduce(0) { sum, m in
                sum + min(m.maxInFlight, Int(m.burst.rounded(.down)))
            }
        } else {
            peakSimultaneousRequests = concurrentConnections
        }

        let responseBytes = inputs.responseKB * 1000
        outboundBytesPerSecond = callsPerSecond * inputs.requestBytes
        inboundBytesPerSecond = callsPerSecond * responseBytes
        outboundBurstBytes = Double(peakSimultaneousRequests) * inputs.requestBytes
        inboundBurstBytes = Double(peakSimultaneousRequests) * responseBytes
        outboundBytesPerDay = outboundBytesPerSecond * 86_400
        inboundBytesPerDay = inboundBytesPerSecond * 86_400
        outboundBytesTotal = totalRequests * inputs.requestBytes
        inboundBytesTotal = totalRequests * responseBytes

        apiCPUCores = callsPerSecond * Self.apiCPUSecondsPerRequest
        apiMemoryMB = Double(concurrentConnections) * Self.apiMemoryMBPerRequest
        backendsAt100Concurrent = Double(concurrentConnections) / 100
        backendsAt50Concurrent = Double(concurrentConnections) / 50
    }

    /// The run's duration in hours.
    package var durationHours: Double { durationSeconds / 3600 }

    /// Partitions owned by each member, e.g. `[3, 3, 2]`.
    package var partitionSplit: [Int] { members.map(\.partitions) }

    /// Members that own no partition.
    package var idleMembers: Int { members.filter(\.isIdle).count }

    /// Members that own partitions but no share of the budgets.
    package var starvedMembers: Int { members.filter(\.isStarved).count }

    /// Workers needed for the latency capacity to reach the rate budget (one member), or nil
    /// when the rate budget is disabled.
    package var workersForBudget: Int? {
        guard let rateBudget else { return nil }
        let needed = (rateBudget * latencySeconds - 1e-9).rounded(.up)
        return needed.isFinite && needed < 1e15 ? Int(Swift.max(1, needed)) : nil
    }
}

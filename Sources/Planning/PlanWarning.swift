/// Something about a plan that the DevOps load spec warns about, in one line.
package struct PlanWarning: Sendable, Equatable, Codable, CustomStringConvertible {
    /// The kind of warning; compare with the static members.
    package struct Code: Hashable, Sendable, Codable, CustomStringConvertible {
        /// The stable name used in JSON output.
        package let name: String
        private init(_ name: String) { self.name = name }

        /// Sustained requests/s above the API's per-client limit (spec §6.2: 50/s): expect 429s.
        package static let rateAboveAPILimit = Code("rate-above-api-limit")
        /// Simultaneous requests above the API's burst (spec §6.2: 30).
        package static let burstAboveAPIBurst = Code("burst-above-api-burst")
        /// More members than partitions: some members own nothing and sit idle.
        package static let idleMembers = Code("idle-members")
        /// More members own partitions than the budgets have carriers (workers, or whole
        /// calls of the burst): some members hold their partitions with no share.
        package static let starvedMembers = Code("starved-members")
        /// More than 50 workers: past the spec's "ultra-aggressive" 50 and its per-client
        /// connection limit of 50 (§6.2, §10.1).
        package static let ultraAggressive = Code("ultra-aggressive")
        /// The client-side rate budget is disabled (spec §10.2 recommends enabling it).
        package static let rateLimitDisabled = Code("rate-limit-disabled")
        /// The run lasts longer than the gap to the next cohort.
        package static let outlastsCohortInterval = Code("outlasts-cohort-interval")
        /// Workers ÷ latency is below the rate budget: the budget is never reached.
        package static let latencyBound = Code("latency-bound")
        /// The members' rounded-down concurrency shares do not add up to the workers.
        package static let concurrencyRounding = Code("concurrency-rounding")
        /// Observed error rate above the spec's thresholds (§7.2: 1 % warning, 5 % critical).
        package static let highErrorRate = Code("high-error-rate")
        /// Observed p95 latency above the spec's thresholds (§7.2: 5 s warning, 10 s critical).
        package static let slowP95 = Code("slow-p95")

        package var description: String { name }

        package init(from decoder: Decoder) throws {
            name = try decoder.singleValueContainer().decode(String.self)
        }

        package func encode(to encoder: Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(name)
        }
    }

    /// How much it matters.
    package enum Severity: String, Sendable, Codable, Comparable {
        /// Worth knowing; nothing to change.
        case info
        /// Likely to cause trouble or waste; consider changing the plan.
        case warning
        /// Will cause trouble (rejections, alerts); change the plan or coordinate first.
        case critical

        private var rank: Int { self == .info ? 0 : self == .warning ? 1 : 2 }
        package static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
    }

    /// The kind of warning.
    package var code: Code
    /// How much it matters.
    package var severity: Severity
    /// What is wrong and what to do, one line.
    package var message: String

    /// Creates a warning.
    package init(code: Code, severity: Severity, message: String) {
        self.code = code
        self.severity = severity
        self.message = message
    }

    /// `"<severity>: <message>"`.
    package var description: String { "\(severity.rawValue): \(message)" }
}

/// What a capacity plan is computed from: the run's size, the client's budgets, the sizes
/// the load spec assumes, and the limits the CardGenius load balancer is expected to have.
///
/// Every default is the DevOps load spec's figure (or the service's default configuration):
/// 20 workers, 1.5 s per call, a client-side rate budget of 10 calls/s with a burst of 20
/// (spec §10.2), 500-byte requests and 35 KB responses (§3.1, §5.1), one member over eight
/// partitions, a weekly cohort, and an API limit of 50 requests/s with a burst of 30 (§6.2).
package struct PlanInputs: Sendable, Equatable, Codable {
    /// The CardGenius endpoint the service calls (used in the notification text).
    package static let defaultEndpoint = "https://card-recommendation-api-v2.bankkaro.com/cg/api/pro"

    /// Users (records) in the run: one API call each, plus retries.
    package var users: Int
    /// Group-wide concurrency budget: API calls in flight across all members.
    package var workers: Int = 20
    /// Assumed mean API latency in seconds (replaced by the observed mean when metrics are given).
    package var latencySeconds: Double = 1.5
    /// Whether the client-side rate budget is enabled.
    package var rateLimitEnabled: Bool = true
    /// Group-wide rate budget in calls per second.
    package var ratePerSecond: Double = 10
    /// Group-wide burst of the rate budget, in calls.
    package var burst: Double = 20
    /// Request body size in bytes.
    package var requestBytes: Double = 500
    /// Response body size in kilobytes (1 KB = 1000 bytes, as the spec counts).
    package var responseKB: Double = 35
    /// Consumer-group members sharing the budgets.
    package var members: Int = 1
    /// Partitions of the input topic.
    package var partitions: Int = 8
    /// Hours between cohorts (a run should finish before the next one arrives).
    package var cohortIntervalHours: Double = 168
    /// The API's rate limit per client, requests per second.
    package var apiRateLimit: Double = 50
    /// The API's burst allowance per client, requests.
    package var apiBurst: Double = 30
    /// Fraction of calls that fail and are retried (0 unless observed).
    package var errorRate: Double = 0
    /// Attempts per user, first call included (spec §3.1: up to 3).
    package var maxAttempts: Int = 3
    /// The endpoint named in the notification.
    package var endpoint: String = PlanInputs.defaultEndpoint

    /// Inputs for `users` users with every other figure at its default.
    package init(users: Int) {
        self.users = users
    }

    /// Inputs with every figure given (defaults as documented on the properties).
    package init(
        users: Int, workers: Int = 20, latencySeconds: Double = 1.5,
        rateLimitEnabled: Bool = true, ratePerSecond: Double = 10, burst: Double = 20,
        requestBytes: Double = 500, responseKB: Double = 35,
        members: Int = 1, partitions: Int = 8, cohortIntervalHours: Double = 168,
        apiRateLimit: Double = 50, apiBurst: Double = 30,
        errorRate: Double = 0, maxAttempts: Int = 3,
        endpoint: String = PlanInputs.defaultEndpoint
    ) {
        self.users = users
        self.workers = workers
        self.latencySeconds = latencySeconds
        self.rateLimitEnabled = rateLimitEnabled
        self.ratePerSecond = ratePerSecond
        self.burst = burst
        self.requestBytes = requestBytes
        self.responseKB = responseKB
        self.members = members
        self.partitions = partitions
        self.cohortIntervalHours = cohortIntervalHours
        self.apiRateLimit = apiRateLimit
        self.apiBurst = apiBurst
        self.errorRate = errorRate
        self.maxAttempts = maxAttempts
        self.endpoint = endpoint
    }

    /// Upper bounds that keep every figure representable (and member lists small).
    static let maxUsers = 1_000_000_000_000
    static let maxWorkers = 1_000_000
    static let maxMembers = 10_000
    static let maxPartitions = 100_000

    /// Checks every figure; throws the first problem, naming the command-line flag.
    package func validate() throws(PlanningError) {
        try Self.checkCount(users, flag: "--users", min: 1, max: Self.maxUsers)
        try Self.checkCount(workers, flag: "--workers", min: 1, max: Self.maxWorkers)
        try Self.checkPositive(latencySeconds, flag: "--latency-s", unit: "seconds", min: 1e-6, max: 86_400)
        try Self.checkPositive(ratePerSecond, flag: "--rate", unit: "calls per second", max: 1e6)
        try Self.checkPositive(burst, flag: "--burst", unit: "calls", max: 1e9)
        if burst < 1 {
            throw PlanningError.input(.outOfRange, flag: "--burst", "must be at least 1 call (got \(burst))")
        }
        try Self.checkPositive(requestBytes, flag: "--request-bytes", unit: "bytes", max: 1e9)
        try Self.checkPositive(responseKB, flag: "--response-kb", unit: "KB", max: 1e9)
        try Self.checkCount(members, flag: "--members", min: 1, max: Self.maxMembers)
        try Self.checkCount(partitions, flag: "--partitions", min: 1, max: Self.maxPartitions)
        try Self.checkPositive(cohortIntervalHours, flag: "--cohort-interval-hours", unit: "hours", max: 1e6)
        try Self.checkPositive(apiRateLimit, flag: "--api-rate-limit", unit: "requests per second", max: 1e9)
        try Self.checkPositive(apiBurst, flag: "--api-burst", unit: "requests", max: 1e9)
        guard errorRate.isFinite, errorRate >= 0, errorRate <= 1 else {
            throw PlanningError.input(.outOfRange, flag: "error rate", "must be between 0 and 1 (got \(errorRate))")
        }
        try Self.checkCount(maxAttempts, flag: "max attempts", min: 1, max: 100)
    }

    private static func checkCount(_ value: Int, flag: String, min: Int, max: Int) throws(PlanningError) {
        if value < min {
            throw PlanningError.input(.outOfRange, flag: flag, "must be at least \(min) (got \(value))")
        }
        if value > max {
            throw PlanningError.input(.outOfRange, flag: flag, "must be at most \(max) (got \(value))")
        }
    }

    /// A finite value > 0 (and ≥ `min` when given), at most `max`: the bounds keep every
    /// derived figure finite and every conversion to an integer in range.
    private static func checkPositive(
        _ value: Double, flag: String, unit: String,
        min: Double? = nil, max: Double
    ) throws(PlanningError) {
        guard value.isFinite else {
            throw PlanningError.input(.notFinite, flag: flag, "must be a finite number of \(unit) (got \(value))")
        }
        guard value > 0 else {
            throw PlanningError.input(.outOfRange, flag: flag, "must be greater than 0 \(unit) (got \(value))")
        }
        if let min, value < min {
            throw PlanningError.input(.outOfRange, flag: flag, "must be at least \(min) \(unit) (got \(value))")
        }
        guard value <= max else {
            throw PlanningError.input(.outOfRange, flag: flag, "must be at most \(max) \(unit) (got \(value))")
        }
    }
}

/// Settings of the ``APISimulator``: where it listens, how it answers, how slow it is, how
/// it rate-limits and which faults it injects.
///
/// The defaults model the production API as documented: 1.5 s mean latency, no rate limit, no
/// faults, the top 13 cards per answer: about 34 KB, within the load spec's 20–50 KB (~35 KB
/// on average; measured over 200 synthetic users: 24–42 KB, mean 34.2 KB).
package struct SimulatorConfiguration: Sendable, Hashable {
    /// Address to bind.
    package var host: String
    /// Port to bind; 0 picks a free port (see ``APISimulator/waitUntilListening()``).
    package var port: Int

    /// Cards per answer by default: 13 answers ~34 KB (the load spec: 20–50 KB, ~35 KB).
    package static let defaultTop = 13

    /// Cards per answer (the best `top` of the catalogue).
    package var top: Int
    /// Cards in the built-in catalogue.
    package var catalogueSize: Int

    /// Mean latency of an answer in milliseconds, before ``latencyScale``; 0 answers at once.
    package var latencyMilliseconds: Double
    /// Spread (sigma of the underlying normal) of the log-normal latency distribution.
    package var latencySigma: Double
    /// Factor applied to every latency (0.01 runs the spec 100 times faster).
    package var latencyScale: Double

    /// Token-bucket rate limit per client IP in requests per second; 0 disables it.
    package var rateLimit: Double
    /// Bucket size (burst) of the rate limit; 0 means `max(1, rateLimit)`.
    package var burst: Double
    /// Concurrent requests past which the simulator answers 503 at once; 0 disables it.
    package var maxConcurrency: Int

    /// Fraction (0...1) of requests answered 503.
    package var fail503: Double
    /// Fraction (0...1) of requests that hang for ``hangSeconds`` (or until the client gives up).
    package var failHang: Double
    /// How long a hanging request sleeps before answering 504.
    package var hangSeconds: Double
    /// Fraction (0...1) of requests whose connection is reset without an answer.
    package var failReset: Double
    /// Fraction (0...1) of requests answered 200 with the JSON body cut in half.
    package var failTruncate: Double
    /// Fraction (0...1) of requests answered 400.
    package var fail400: Double
    /// Seed of the fault draws and the latency samples.
    package var seed: UInt64

    /// Seconds after start-up at which an outage begins (every request answers 503); nil for none.
    package var outageAfter: Double?
    /// Length of the outage in seconds.
    package var outageFor: Double
    /// Requests answered late on purpose (one user's call outliving a rebalance); nil for none.
    package var slowSpend: SlowSpend? = nil
    /// The `Retry-After` header sent, verbatim, with every 429 and 503 (any text: a client must
    /// survive whatever a server sends); nil sends the rate limit's own wait on 429s and none
    /// on 503s.
    package var retryAfter: String? = nil

    /// Creates a configuration; every parameter has the documented default.
    package init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        top: Int = SimulatorConfiguration.defaultTop,
        catalogueSize: Int = 100,
        latencyMilliseconds: Double = 1500,
        latencySigma: Double = 0.3,
        latencyScale: Double = 1,
        rateLimit: Double = 0,
        burst: Double = 0,
        maxConcurrency: Int = 0,
        fail503: Double = 0,
        failHang: Double = 0,
        hangSeconds: Double = 60,
        failReset: Double = 0,
        failTruncate: Double = 0,
        fail400: Double = 0,
        seed: UInt64 = 42,
        outageAfter: Double? = nil,
        outageFor: Double = 0
    ) {
        self.host = host
        self.port = port
        self.top = top
        self.catalogueSize = catalogueSize
        self.latencyMilliseconds = latencyMilliseconds
        self.latencySigma = latencySigma
        self.latencyScale = latencyScale
        self.rateLimit = rateLimit
        self.burst = burst
        self.maxConcurrency = maxConcurrency
        self.fail503 = fail503
        self.failHang = failHang
        self.hangSeconds = hangSeconds
        self.failReset = failReset
        self.failTruncate = failTruncate
        self.fail400 = fail400
        self.seed = seed
        self.outageAfter = outageAfter
        self.outageFor = outageFor
    }

    /// A problem with a configuration value.
    package struct ValidationError: Error, Sendable, Hashable, CustomStringConvertible {
        /// What is wrong, naming the setting.
        package var message: String
        package var description: String { self.message }
    }

    /// Checks every value; returns the first problem found.
    package func validate() throws(ValidationError) {
        func fail(_ message: String) throws(ValidationError) { throw ValidationError(message: message) }
        if self.host.isEmpty { try fail("host must not be empty") }
        if !(0...65_535).contains(self.port) { try fail("port must be in 0...65535, got \(self.port)") }
        if !(1...10_000).contains(self.top) { try fail("top must be in 1...10000, got \(self.top)") }
        if !(1...10_000).contains(self.catalogueSize) {
            try fail("catalogue size must be in 1...10000, got \(self.catalogueSize)")
        }
        for (name, value) in [
            ("latency-ms", self.latencyMilliseconds), ("latency-sigma", self.latencySigma),
            ("latency-scale", self.latencyScale), ("rate-limit", self.rateLimit), ("burst", self.burst),
            ("hang-seconds", self.hangSeconds), ("outage-for", self.outageFor),
        ] where !(value.isFinite && value >= 0) {
            try fail("\(name) must be a finite number >= 0, got \(value)")
        }
        if self.latencySigma > 5 { try fail("latency-sigma must be <= 5, got \(self.latencySigma)") }
        if let outageAfter = self.outageAfter, !(outageAfter.isFinite && outageAfter >= 0) {
            try fail("outage-after must be a finite number >= 0, got \(outageAfter)")
        }
        if self.maxConcurrency < 0 { try fail("max-concurrency must be >= 0, got \(self.maxConcurrency)") }
        let fractions = [
            ("fail-503", self.fail503), ("fail-hang", self.failHang), ("fail-reset", self.failReset),
            ("fail-truncate", self.failTruncate), ("fail-400", self.fail400),
        ]
        for (name, value) in fractions where !(value.isFinite && (0...1).contains(value)) {
            try fail("\(name) must be a fraction in 0...1, got \(value)")
        }
        let total = fractions.reduce(0) { $0 + $1.1 }
        if total > 1 + 1e-9 { try fail("the fault fractions add up to \(total), more than 1") }
    }

    /// Bucket size actually used by the rate limiter.
    var effectiveBurst: Double { self.burst > 0 ? self.burst : max(1, self.rateLimit) }
}

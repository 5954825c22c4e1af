import ArgumentParser
import Logging
import ServiceLifecycle
import Simulator

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `cardgenius simulate-api`: runs the CardGenius API simulator until SIGTERM or SIGINT.
struct SimulateAPICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate-api",
        abstract: "Run a stand-in for the CardGenius API (latency, rate limits, faults).",
        discussion: """
            Serves POST /cg/api/pro, GET /stats, POST /stats/reset and GET /healthz. Prints \
            "listening on http://HOST:PORT" once bound (use --port 0 for a free port).
            """
    )

    @Option(help: "Address to bind.")
    var host: String = "127.0.0.1"

    @Option(help: "Port to bind (0 picks a free port).")
    var port: Int = 8080

    @Option(help: "Cards per answer (13 answers ~34 KB, as the load spec's ~35 KB average).")
    var top: Int = SimulatorConfiguration.defaultTop

    @Option(name: .customLong("latency-ms"), help: "Mean latency in milliseconds (0 answers at once).")
    var latencyMilliseconds: Double = 1500

    @Option(name: .customLong("latency-sigma"), help: "Spread of the log-normal latency.")
    var latencySigma: Double = 0.3

    @Option(name: .customLong("latency-scale"), help: "Factor applied to every latency (0.01 = 100x faster).")
    var latencyScale: Double = 1

    @Option(name: .customLong("rate-limit"), help: "Token-bucket rate limit per client IP in requests/s (0 = off).")
    var rateLimit: Double = 0

    @Option(help: "Burst (bucket size) of the rate limit (0 = the rate).")
    var burst: Double = 0

    @Option(name: .customLong("max-concurrency"), help: "Concurrent requests past which it answers 503 (0 = off).")
    var maxConcurrency: Int = 0

    @Option(name: .customLong("fail-503"), help: "Fraction of requests answered 503.")
    var fail503: Double = 0

    @Option(name: .customLong("fail-hang"), help: "Fraction of requests that hang.")
    var failHang: Double = 0

    @Option(name: .customLong("hang-seconds"), help: "How long a hanging request sleeps.")
    var hangSeconds: Double = 60

    @Option(name: .customLong("fail-reset"), help: "Fraction of requests whose connection is reset.")
    var failReset: Double = 0

    @Option(name: .customLong("fail-truncate"), help: "Fraction of requests answered 200 with half a body.")
    var failTruncate: Double = 0

    @Option(name: .customLong("fail-400"), help: "Fraction of requests answered 400.")
    var fail400: Double = 0

    @Option(help: "Seed of the fault and latency draws.")
    var seed: UInt64 = 42

    @Option(name: .customLong("outage-after"), help: "Seconds after start at which every request starts answering 503.")
    var outageAfter: Double?

    @Option(name: .customLong("outage-for"), help: "Length of the outage in seconds.")
    var outageFor: Double = 0

    @Option(
        name: .customLong("retry-after"),
        help: "Retry-After header sent verbatim with every 429 and 503 (any text, e.g. a date in the year 999999999).")
    var retryAfter: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    var simulatorConfiguration: SimulatorConfiguration {
        var configuration = SimulatorConfiguration(
            host: self.host,
            port: self.port,
            top: self.top,
            latencyMilliseconds: self.latencyMilliseconds,
            latencySigma: self.latencySigma,
            latencyScale: self.latencyScale,
            rateLimit: self.rateLimit,
            burst: self.burst,
            maxConcurrency: self.maxConcurrency,
            fail503: self.fail503,
            failHang: self.failHang,
            hangSeconds: self.hangSeconds,
            failReset: self.failReset,
            failTruncate: self.failTruncate,
            fail400: self.fail400,
            seed: self.seed,
            outageAfter: self.outageAfter,
            outageFor: self.outageFor
        )
        configuration.retryAfter = self.retryAfter
        return configuration
    }

    func validate() throws {
        do {
            try self.simulatorConfiguration.validate()
        } catch {
            throw ValidationError(error.message)
        }
        if Logger.Level(rawValue: self.logLevel) == nil {
            throw ValidationError("log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        if self.outageAfter == nil, self.outageFor > 0 {
            throw ValidationError("outage-for needs outage-after")
        }
    }

    func run() async throws {
        var logger = Logger(label: "cardgenius.simulate-api")
        logger.logLevel = Logger.Level(rawValue: self.logLevel) ?? .info
        let simulator = APISimulator(configuration: self.simulatorConfiguration, logger: logger) { host, port in
            print("listening on http://\(host):\(port)")
            fflush(nil)  // all streams: stdout may be a pipe (block-buffered)
        }
        let group = ServiceGroup(
            configuration: .init(
                services: [simulator],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
    }
}

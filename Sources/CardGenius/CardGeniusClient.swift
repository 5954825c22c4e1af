import AsyncHTTPClient
import Logging
import NIOCore

/// The HTTP client of the CardGenius recommendation API (`POST /cg/api/pro`).
///
/// One ``recommend(_:)`` call is one HTTP attempt: the client never retries by itself; it
/// classifies the answer into a ``CallOutcome`` (success, retriable or permanent failure,
/// overload signal, `Retry-After`) and leaves retries, backoff and concurrency control to the
/// caller. It keeps a keep-alive connection pool of ``Configuration/maxConnections``
/// connections, validates TLS certificates, and applies the configured connect and request
/// timeouts.
///
/// ```swift
/// let client = CardGeniusClient(configuration: .init(url: "http://127.0.0.1:8080/cg/api/pro"), logger: logger)
/// let outcome = await client.recommend(RecommendationRequest(spends: [.amazonSpends: 5000]))
/// try await client.shutdown()
/// ```
///
/// Call ``shutdown()`` exactly once when done.
public struct CardGeniusClient: Sendable {
    /// The settings the client was created with.
    public let configuration: Configuration
    let httpClient: HTTPClient
    let logger: Logger
    /// The logger handed to AsyncHTTPClient: `logger` at debug and trace, the only levels it
    /// logs at; otherwise one that drops everything, because AsyncHTTPClient writes a request
    /// id into its logger's metadata on every call (~2 % of the member's CPU at full speed,
    /// BENCHMARKS.md section 0) whether or not anything is logged.
    let httpLogger: Logger
    /// The request every call sends, parsed once (each call sets its body), or why
    /// AsyncHTTPClient refuses the URL (every call then fails with that error).
    let requestTemplate: Result<HTTPClient.Request, any Error>
    let parser = RecommendationResponseParser()

    /// Creates a client with its own `HTTPClient` on the shared NIO event loop group.
    public init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.httpLogger = logger.logLevel <= .debug ? logger : Logger(label: logger.label, factory: { _ in SwiftLogNoOpLogHandler() })

        var http = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(
                connect: Self.timeAmount(configuration.connectTimeout),
                read: Self.timeAmount(configuration.requestTimeout)
            ),
            connectionPool: .init(
                idleTimeout: Self.timeAmount(configuration.idleTimeout),
                concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, configuration.maxConnections)
            ),
            decompression: .disabled
        )
        http.httpVersion = configuration.allowHTTP2 ? .automatic : .http1Only
        http.connectionPool.retryConnectionEstablishment = configuration.retryConnectionEstablishment
        // `tlsConfiguration` stays nil: AsyncHTTPClient's default client TLS configuration, which
        // validates certificates against the system trust roots.
        self.httpClient = HTTPClient(
            eventLoopGroup: HTTPClient.defaultEventLoopGroup,
            configuration: http,
            backgroundActivityLogger: self.httpLogger
        )

        self.requestTemplate = Result {
            var template = try HTTPClient.Request(url: configuration.url, method: .POST)
            template.headers.add(contentsOf: [
                ("Content-Type", "application/json"),
                ("Accept", "application/json"),
                ("User-Agent", configuration.userAgent),
            ])
            return template
        }
    }

    /// Makes one attempt to get a recommendation for `request`.
    ///
    /// Never throws: every failure, including cancellation of the calling task, is classified
    /// into the returned outcome.
    public func recommend(_ request: RecommendationRequest) async -> CallOutcome {
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = NIODeadline.now() + Self.timeAmount(self.configuration.requestTimeout)
        let collector = CardGeniusResponseCollector(maxBodyBytes: self.configuration.maxBodyBytes)

        let outcome: CallOutcome
        do {
            var httpRequest = try self.requestTemplate.get()
            let body = request.jsonBody()
            httpRequest.headers.replaceOrAdd(name: "Content-Length", value: String(body.count))
            httpRequest.body = .bytes(body)
            let task = self.httpClient.execute(request: httpRequest, delegate: collector, deadline: deadline, logger: self.httpLogger)
            let answer = try await withTaskCancellationHandler {
                try await task.futureResult.get()
            } onCancel: {
                task.cancel()
            }
            outcome = answer.body.withUnsafeReadableBytes { bytes in
                self.classify(
                    status: answer.head.status,
                    body: bytes,
                    retryAfter: answer.head.retryAfter,
                    rateLimitRemaining: answer.head.rateLimitRemaining,
                    latency: start.duration(to: clock.now),
                    retaining: answer.body
                )
            }
        } catch {
            // A head without its whole body: the failure happened while reading the body.
            let head = collector.head
            var failed = Self.classify(error: error, latency: start.duration(to: clock.now), duringBody: head != nil)
            if let head {
                failed.failure?.httpStatus = head.status
                failed.httpStatus = head.status
                failed.retryAfter = head.retryAfter
                failed.rateLimitRemaining = head.rateLimitRemaining
            }
            outcome = failed
        }
        return self.logged(outcome)
    }

    /// Shuts the connection pool down. In-flight calls fail with
    /// ``CallFailure/Code/clientShutdown`` or a connection error.
    public func shutdown() async throws {
        try await self.httpClient.shutdown()
    }

    private func logged(_ outcome: CallOutcome) -> CallOutcome {
        if self.logger.logLevel <= .debug {
            self.logger.debug(
                "CardGenius call finished",
                metadata: [
                    "outcome": "\(outcome.kind)",
                    "http.status": "\(outcome.httpStatus.map(String.init) ?? "-")",
                    "failure": "\(outcome.failure.map { "\($0)" } ?? "-")",
                    "latency": "\(outcome.latency)",
                ]
            )
        }
        return outcome
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        .nanoseconds(RetryPolicy.nanoseconds(duration))
    }
}

extension CardGeniusClient {
    /// Settings of a ``CardGeniusClient``.
    public struct Configuration: Sendable, Hashable {
        /// The endpoint, e.g. `https://card-recommendation-api-v2.bankkaro.com/cg/api/pro`.
        public var url: String
        /// The `User-Agent` header.
        public var userAgent: String
        /// Time allowed to establish a connection (TCP and TLS).
        public var connectTimeout: Duration
        /// Time allowed for one request, from sending it to having read the whole body.
        public var requestTimeout: Duration
        /// Size of the connection pool: concurrent HTTP/1.1 connections to the host. Set it to
        /// the number of concurrent workers, or they queue for a connection.
        public var maxConnections: Int
        /// How long an idle keep-alive connection stays in the pool.
        public var idleTimeout: Duration
        /// Largest response body accepted; larger bodies fail with
        /// ``CallFailure/Code/bodyTooLarge``.
        public var maxBodyBytes: Int
        /// Whether HTTP/2 may be negotiated over TLS. Off by default so that ``maxConnections``
        /// means what it says (HTTP/2 multiplexes everything over one connection).
        public var allowHTTP2: Bool
        /// Whether AsyncHTTPClient keeps retrying a failed connection attempt (with backoff)
        /// until ``connectTimeout``. Off by default: a refused connection or DNS failure is
        /// reported at once, and the caller's retry policy and circuit breaker decide.
        public var retryConnectionEstablishment: Bool

        /// Creates a configuration with the load spec's defaults (30 s timeouts, 20 connections).
        public init(
            url: String,
            userAgent: String = "CardGenius-Batch-Runner/1.0",
            connectTimeout: Duration = .seconds(30),
            requestTimeout: Duration = .seconds(30),
            maxConnections: Int = 20,
            idleTimeout: Duration = .seconds(60),
            maxBodyBytes: Int = 8 * 1024 * 1024,
            allowHTTP2: Bool = false,
            retryConnectionEstablishment: Bool = false
        ) {
            self.url = url
            self.userAgent = userAgent
            self.connectTimeout = connectTimeout
            self.requestTimeout = requestTimeout
            self.maxConnections = maxConnections
            self.idleTimeout = idleTimeout
            self.maxBodyBytes = maxBodyBytes
            self.allowHTTP2 = allowHTTP2
            self.retryConnectionEstablishment = retryConnectionEstablishment
        }
    }
}

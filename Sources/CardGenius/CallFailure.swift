/// Why a call to the CardGenius API did not produce a ``Recommendation``.
///
/// Errors are identified by ``Code`` (compare with the static members, swift-nio style);
/// ``message`` is for humans and logs.
public struct CallFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable identifier for a class of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Backing: String, Hashable, Sendable {
            case rateLimited
            case serviceUnavailable
            case badGateway
            case gatewayTimeout
            case serverError
            case timeout
            case connectionFailed
            case tlsFailure
            case malformedBody
            case truncatedBody
            case bodyTooLarge
            case apiReportedFailure
            case badRequest
            case unexpectedStatus
            case invalidRequest
            case cancelled
            case clientShutdown
            case transportError
        }

        fileprivate let backing: Backing

        fileprivate init(_ backing: Backing) {
            self.backing = backing
        }

        /// HTTP 429 Too Many Requests (the load balancer's rate limit).
        public static let rateLimited = Code(.rateLimited)
        /// HTTP 503 Service Unavailable.
        public static let serviceUnavailable = Code(.serviceUnavailable)
        /// HTTP 502 Bad Gateway.
        public static let badGateway = Code(.badGateway)
        /// HTTP 504 Gateway Timeout.
        public static let gatewayTimeout = Code(.gatewayTimeout)
        /// HTTP 500 or another 5xx status.
        public static let serverError = Code(.serverError)
        /// Connect timeout, read timeout, the request deadline, or HTTP 408.
        public static let timeout = Code(.timeout)
        /// The connection could not be made or was lost: refused, reset, closed early, DNS failure.
        public static let connectionFailed = Code(.connectionFailed)
        /// The TLS handshake failed (certificate validation, protocol errors).
        public static let tlsFailure = Code(.tlsFailure)
        /// The body is not the JSON the API documents (or the HTTP framing was invalid).
        public static let malformedBody = Code(.malformedBody)
        /// The body ended in the middle of the JSON document.
        public static let truncatedBody = Code(.truncatedBody)
        /// The body exceeded the client's size cap.
        public static let bodyTooLarge = Code(.bodyTooLarge)
        /// A 200 carrying `"success": false`; ``CallFailure/message`` holds the API's message.
        public static let apiReportedFailure = Code(.apiReportedFailure)
        /// HTTP 400, 422 or another 4xx status: the request itself was rejected.
        public static let badRequest = Code(.badRequest)
        /// A status the API does not document (1xx, 3xx).
        public static let unexpectedStatus = Code(.unexpectedStatus)
        /// The request could not be built (invalid URL in the configuration).
        public static let invalidRequest = Code(.invalidRequest)
        /// The calling task was cancelled.
        public static let cancelled = Code(.cancelled)
        /// The client has been shut down.
        public static let clientShutdown = Code(.clientShutdown)
        /// Any other transport error.
        public static let transportError = Code(.transportError)

        public var description: String { self.backing.rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// Human-readable detail (the API's message, the status, the underlying error).
    public var message: String
    /// The HTTP status, when a response head was received.
    public var httpStatus: Int?

    /// Creates a failure.
    public init(code: Code, message: String, httpStatus: Int? = nil) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
    }

    public var description: String {
        if let httpStatus {
            return "CallFailure(\(self.code), HTTP \(httpStatus)): \(self.message)"
        }
        return "CallFailure(\(self.code)): \(self.message)"
    }
}

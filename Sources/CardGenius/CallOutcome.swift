/// The result of one attempt to call the CardGenius API.
///
/// Exactly one of ``recommendation`` (when ``kind`` is ``Kind/success``) and ``failure``
/// (otherwise) is set. The transport and rate-limit observations are filled in whenever they
/// are known, whatever the kind, so the pipeline can drive backoff, adaptive concurrency and
/// its circuit breaker from them.
public struct CallOutcome: Sendable {
    /// How the pipeline should treat the outcome.
    public enum Kind: Sendable, Hashable {
        /// A validated recommendation.
        case success
        /// A transient failure: trying again later may succeed.
        case retriable
        /// The request will not succeed as sent; do not retry it.
        case permanent
    }

    /// How the pipeline should treat the outcome.
    public var kind: Kind
    /// The recommendation, for a success.
    public var recommendation: Recommendation?
    /// What went wrong, for a failure.
    public var failure: CallFailure?
    /// Wall-clock time from sending the request to classifying the (complete) answer.
    public var latency: Duration
    /// The HTTP status, when a response head was received.
    public var httpStatus: Int?
    /// The server's `Retry-After` (delta seconds or HTTP-date), when sent.
    public var retryAfter: Duration?
    /// The server's `X-RateLimit-Remaining`, when sent.
    public var rateLimitRemaining: Int?
    /// True when the failure says the API (or its load balancer) is overloaded: HTTP 429, 503,
    /// 504, timeouts, and refused, reset or prematurely closed connections. DNS and TLS
    /// failures, 4xx and other 5xx are not overload signals.
    public var isOverloadSignal: Bool

    /// Creates an outcome; prefer ``success(_:latency:httpStatus:rateLimitRemaining:)`` and
    /// ``failure(_:kind:isOverloadSignal:latency:retryAfter:rateLimitRemaining:)``.
    public init(
        kind: Kind,
        recommendation: Recommendation?,
        failure: CallFailure?,
        latency: Duration,
        httpStatus: Int?,
        retryAfter: Duration?,
        rateLimitRemaining: Int?,
        isOverloadSignal: Bool
    ) {
        self.kind = kind
        self.recommendation = recommendation
        self.failure = failure
        self.latency = latency
        self.httpStatus = httpStatus
        self.retryAfter = retryAfter
        self.rateLimitRemaining = rateLimitRemaining
        self.isOverloadSignal = isOverloadSignal
    }

    /// A successful outcome.
    public static func success(
        _ recommendation: Recommendation,
        latency: Duration,
        httpStatus: Int? = 200,
        rateLimitRemaining: Int? = nil
    ) -> CallOutcome {
        CallOutcome(
            kind: .success,
            recommendation: recommendation,
            failure: nil,
            latency: latency,
            httpStatus: httpStatus,
            retryAfter: nil,
            rateLimitRemaining: rateLimitRemaining,
            isOverloadSignal: false
        )
    }

    /// A failed outcome (`kind` must not be ``Kind/success``).
    public static func failure(
        _ failure: CallFailure,
        kind: Kind,
        isOverloadSignal: Bool,
        latency: Duration,
        retryAfter: Duration? = nil,
        rateLimitRemaining: Int? = nil
    ) -> CallOutcome {
        precondition(kind != .success, "a failure cannot be a success")
        return CallOutcome(
            kind: kind,
            recommendation: nil,
            failure: failure,
            latency: latency,
            httpStatus: failure.httpStatus,
            retryAfter: retryAfter,
            rateLimitRemaining: rateLimitRemaining,
            isOverloadSignal: isOverloadSignal
        )
    }

    /// True for ``Kind/success``.
    public var isSuccess: Bool { self.kind == .success }
}

extension CallOutcome: CustomStringConvertible {
    public var description: String {
        switch self.kind {
        case .success:
            return "success(cards: \(self.recommendation?.cardCount ?? 0), latency: \(self.latency))"
        case .retriable, .permanent:
            let failure = self.failure.map { "\($0)" } ?? "unknown"
            return "\(self.kind)(\(failure), latency: \(self.latency), overload: \(self.isOverloadSignal))"
        }
    }
}

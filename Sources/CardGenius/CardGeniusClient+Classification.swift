import AsyncHTTPClient
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension CardGeniusClient {
    /// Classifies a complete HTTP answer.
    ///
    /// - 2xx: the body must be a valid API document; `success: true` with a `savings` array is
    ///   a success, `success: false` is ``CallFailure/Code/apiReportedFailure`` (retriable when
    ///   the message reads as transient, see ``isTransientAPIMessage(_:)``, permanent otherwise);
    ///   an invalid or truncated body is retriable.
    /// - 429, 502, 503, 504, other 5xx, 408: retriable (429, 503, 504 and 408 signal overload).
    /// - other 4xx: permanent ``CallFailure/Code/badRequest``; 1xx/3xx: permanent
    ///   ``CallFailure/Code/unexpectedStatus``.
    func classify(
        status: Int,
        body: UnsafeRawBufferPointer,
        retryAfter: Duration?,
        rateLimitRemaining: Int?,
        latency: Duration,
        retaining buffer: ByteBuffer? = nil
    ) -> CallOutcome {
        func failure(_ code: CallFailure.Code, _ kind: CallOutcome.Kind, overload: Bool, _ message: String) -> CallOutcome {
            .failure(
                CallFailure(code: code, message: message, httpStatus: status),
                kind: kind,
                isOverloadSignal: overload,
                latency: latency,
                retryAfter: retryAfter,
                rateLimitRemaining: rateLimitRemaining
            )
        }
        func detail(_ reason: String) -> String {
            guard let message = self.parser.errorMessage(in: body), !message.isEmpty else { return reason }
            return "\(reason): \(message)"
        }

        switch status {
        case 200..<300:
            do throws(CallFailure) {
                let parsed = try self.parser.parse(body)
                guard parsed.success else {
                    let message = parsed.message.isEmpty ? "the API answered success=false" : parsed.message
                    let transient = Self.isTransientAPIMessage(parsed.message)
                    return failure(.apiReportedFailure, transient ? .retriable : .permanent, overload: false, message)
                }
                guard let recommendation = parsed.recommendation(in: body, retaining: buffer) else {
                    return failure(.malformedBody, .retriable, overload: false, "success=true without a savings array")
                }
                var outcome = CallOutcome.success(
                    recommendation,
                    latency: latency,
                    httpStatus: status,
                    rateLimitRemaining: rateLimitRemaining
                )
                outcome.retryAfter = retryAfter
                return outcome
            } catch {
                return failure(error.code, .retriable, overload: false, error.message)
            }
        case 429:
            return failure(.rateLimited, .retriable, overload: true, detail("429 Too Many Requests"))
        case 503:
            return failure(.serviceUnavailable, .retriable, overload: true, detail("503 Service Unavailable"))
        case 504:
            return failure(.gatewayTimeout, .retriable, overload: true, detail("504 Gateway Timeout"))
        case 502:
            return failure(.badGateway, .retriable, overload: false, detail("502 Bad Gateway"))
        case 500..<600:
            return failure(.serverError, .retriable, overload: false, detail("HTTP \(status)"))
        case 408:
            return failure(.timeout, .retriable, overload: true, detail("408 Request Timeout"))
        case 400..<500:
            return failure(.badRequest, .permanent, overload: false, detail("HTTP \(status)"))
        default:
            return failure(.unexpectedStatus, .permanent, overload: false, detail("unexpected HTTP \(status)"))
        }
    }

    /// Whether a `success: false` message describes a transient condition ("try again",
    /// "temporarily unavailable", "timeout", "overloaded", "internal server error", ...).
    public static func isTransientAPIMessage(_ message: String) -> Bool {
        let lowered = message.lowercased()
        let markers = [
            "try again", "retry", "temporar", "timeout", "timed out", "unavailable", "overload", "busy",
            "rate limit", "too many requests", "internal server error", "internal error", "server error",
            "gateway", "503", "502", "504",
        ]
        return markers.contains { lowered.contains($0) }
    }

    /// Classifies an error thrown by AsyncHTTPClient (or NIO below it).
    ///
    /// - Parameter duringBody: true when the response head had arrived and the body was being
    ///   read; a connection lost at that point is a truncated body.
    static func classify(error: any Error, latency: Duration, duringBody: Bool) -> CallOutcome {
        func failure(_ code: CallFailure.Code, _ kind: CallOutcome.Kind, overload: Bool, _ message: String) -> CallOutcome {
            .failure(CallFailure(code: code, message: message), kind: kind, isOverloadSignal: overload, latency: latency)
        }
        let connectionLost = { (what: String) -> CallOutcome in
            duringBody
                ? failure(.truncatedBody, .retriable, overload: true, "\(what) while reading the body")
                : failure(.connectionFailed, .retriable, overload: true, what)
        }

        if error is CancellationError {
            return failure(.cancelled, .retriable, overload: false, "the call was cancelled")
        }
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout:
                return failure(.timeout, .retriable, overload: true, "connect timeout")
            case .readTimeout:
                return failure(.timeout, .retriable, overload: true, "read timeout")
            case .writeTimeout:
                return failure(.timeout, .retriable, overload: true, "write timeout")
            case .deadlineExceeded:
                return failure(.timeout, .retriable, overload: true, "request timeout (deadline exceeded)")
            case .getConnectionFromPoolTimeout:
                return failure(.timeout, .retriable, overload: true, "timed out waiting for a pooled connection")
            case .tlsHandshakeTimeout:
                return failure(.timeout, .retriable, overload: true, "TLS handshake timeout")
            case .remoteConnectionClosed:
                return connectionLost("connection closed by the server")
            case .bodyLengthMismatch:
                return failure(.truncatedBody, .retriable, overload: false, "body length does not match Content-Length")
            case .cancelled, .requestStreamCancelled:
                return failure(.cancelled, .retriable, overload: false, "the call was cancelled")
            case .alreadyShutdown:
                return failure(.clientShutdown, .retriable, overload: false, "the client has been shut down")
            case .invalidURL, .emptyHost, .emptyScheme, .missingSocketPath:
                return failure(.invalidRequest, .permanent, overload: false, "invalid URL: \(error)")
            default:
                return failure(.transportError, .retriable, overload: false, "\(error)")
            }
        }
        if let error = error as? NIOConnectionError {
            if error.connectionErrors.isEmpty, error.dnsAError != nil || error.dnsAAAAError != nil {
                return failure(.connectionFailed, .retriable, overload: false, "DNS resolution failed: \(error)")
            }
            if let first = error.connectionErrors.first?.error as? IOError {
                return Self.classify(ioError: first, latency: latency, duringBody: false)
            }
            return failure(.connectionFailed, .retriable, overload: true, "connection failed: \(error)")
        }
        if let error = error as? IOError {
            return Self.classify(ioError: error, latency: latency, duringBody: duringBody)
        }
        if let error = error as? ChannelError {
            switch error {
            case .connectTimeout:
                return failure(.timeout, .retriable, overload: true, "connect timeout")
            case .eof, .ioOnClosedChannel, .alreadyClosed, .outputClosed, .inputClosed:
                return connectionLost("connection closed (\(error))")
            default:
                return failure(.transportError, .retriable, overload: false, "\(error)")
            }
        }
        if error is NIOTooManyBytesError {
            return failure(.bodyTooLarge, .permanent, overload: false, "the response body exceeds the size cap")
        }
        if error is SocketAddressError {
            return failure(.connectionFailed, .retriable, overload: false, "DNS resolution failed: \(error)")
        }
        // NIOSSL and the HTTP parser are not direct dependencies of this module: recognise
        // their errors by type name.
        let typeName = String(reflecting: type(of: error))
        if typeName.contains("SSL") || typeName.contains("TLS") {
            return failure(.tlsFailure, .retriable, overload: false, "TLS failure: \(error)")
        }
        if typeName.contains("HTTPParserError") {
            return failure(.malformedBody, .retriable, overload: false, "invalid HTTP response: \(error)")
        }
        return failure(.transportError, .retriable, overload: false, "\(typeName): \(error)")
    }

    static func classify(ioError: IOError, latency: Duration, duringBody: Bool) -> CallOutcome {
        func failure(_ code: CallFailure.Code, overload: Bool, _ message: String) -> CallOutcome {
            .failure(CallFailure(code: code, message: message), kind: .retriable, isOverloadSignal: overload, latency: latency)
        }
        switch ioError.errnoCode {
        case ECONNREFUSED:
            return failure(.connectionFailed, overload: true, "connection refused")
        case ECONNRESET, EPIPE, ECONNABORTED:
            if duringBody {
                return failure(.truncatedBody, overload: true, "connection reset while reading the body")
            }
            return failure(.connectionFailed, overload: true, "connection reset by peer")
        case ETIMEDOUT:
            return failure(.timeout, overload: true, "connection timed out")
        case EHOSTUNREACH, ENETUNREACH, ENETDOWN:
            return failure(.connectionFailed, overload: false, "network unreachable: \(ioError)")
        default:
            return failure(.connectionFailed, overload: false, "\(ioError)")
        }
    }
}

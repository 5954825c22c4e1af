import CardGenius
import Foundation
import Hummingbird
import Logging
import NIOCore
import StrictJSON

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Answers the simulator's routes:
///
/// - `POST /cg/api/pro`: the recommendation API, with rate limit, concurrency ceiling, outage,
///   faults and latency applied in that order;
/// - `GET /stats`, `POST /stats/reset`, `GET /healthz`.
struct SimulatorResponder: HTTPResponder {
    typealias Context = SimulatorRequestContext

    let configuration: SimulatorConfiguration
    let state: SimulatorState
    let engine: RecommendationEngine
    let parser = SpendRequestParser()
    let logger: Logger
    let slow: SlowSpendTickets?

    /// Largest request body accepted.
    static let maxRequestBytes = 64 * 1024

    func respond(to request: Request, context: Context) async throws -> Response {
        let path = request.uri.path
        switch (request.method, path) {
        case (.post, "/cg/api/pro"):
            return try await self.recommend(request, context: context)
        case (.get, "/stats"):
            return Self.json(status: .ok, self.statsJSON())
        case (.post, "/stats/reset"):
            self.state.reset(unixTime: Date().timeIntervalSince1970)
            return Self.json(status: .ok, Array(#"{"reset":true}"#.utf8))
        case (.get, "/healthz"):
            return Self.json(status: .ok, Array(#"{"status":"ok"}"#.utf8))
        case (_, "/cg/api/pro"), (_, "/stats"), (_, "/stats/reset"), (_, "/healthz"):
            return Self.json(status: .methodNotAllowed, Self.errorBody("method \(request.method) not allowed"))
        default:
            return Self.json(status: .notFound, Self.errorBody("no route for \(path)"))
        }
    }

    private func recommend(_ request: Request, context: Context) async throws -> Response {
        var request = request
        switch self.state.admit(client: { context.clientAddress }) {
        case .outage:
            self.state.record(status: 503)
            return self.withRetryAfter(Self.json(status: .serviceUnavailable, Self.errorBody("Service temporarily unavailable")))
        case .overCapacity:
            self.state.record(status: 503)
            return self.withRetryAfter(Self.json(status: .serviceUnavailable, Self.errorBody("Server overloaded, try again later")))
        case .rateLimited(let retryAfter):
            self.state.record(status: 429)
            var response = Self.json(status: .tooManyRequests, Self.errorBody("Too many requests"))
            response.headers[.retryAfter] = self.configuration.retryAfter ?? String(retryAfter)
            response.headers[Self.rateLimitRemaining] = "0"
            return response
        case .admitted(let fault, let latency, let remaining):
            var status: Int? = nil
            defer { self.state.finish(status: status) }
            var response = try await self.serve(&request, context: context, fault: fault, latency: latency)
            if let remaining, response.status.code < 500 {
                response.headers[Self.rateLimitRemaining] = String(remaining)
            }
            status = fault == .reset ? nil : Int(response.status.code)
            return response
        }
    }

    private func serve(
        _ request: inout Request,
        context: Context,
        fault: SimulatorState.Fault,
        latency: Int64
    ) async throws -> Response {
        // The answer is due `latency` after admission. It is worked out meanwhile, so the
        // simulator's own time (reading, parsing, rendering: ~0.3 ms for 37 KB) does not
        // lengthen the modelled latency.
        var due = ContinuousClock.now.advanced(by: .nanoseconds(latency))
        // Read the whole request first so that the connection stays usable (keep-alive).
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: Self.maxRequestBytes)
        } catch {
            return Self.json(status: .contentTooLarge, Self.errorBody("body: larger than \(Self.maxRequestBytes) bytes"))
        }
        switch fault {
        case .serviceUnavailable:
            return self.withRetryAfter(Self.json(status: .serviceUnavailable, Self.errorBody("Service Unavailable")))
        case .reset:
            await Self.resetConnection(context.channel)
            throw SimulatorFault.connectionReset
        case .hang:
            await self.hang(seconds: self.configuration.hangSeconds, channel: context.channel)
            return Self.json(status: .gatewayTimeout, Self.errorBody("Gateway Timeout"))
        case .none, .truncate, .badRequest:
            break
        }
        if fault == .badRequest {
            try await Self.sleep(until: due)
            return Self.json(status: .badRequest, Self.errorBody("request rejected: invalid spend profile"))
        }
        let spends: [Double]
        do throws(SpendRequestParser.Rejection) {
            spends = try body.withUnsafeReadableBytes { bytes throws(SpendRequestParser.Rejection) in
                try self.parser.parse(bytes)
            }
        } catch {
            try await Self.sleep(until: due)
            return Self.json(status: .badRequest, Self.errorBody(error.message))
        }
        if let extra = self.slow?.delay(for: spends) {
            due += extra
        }
        var answer = self.engine.answer(spends: spends)
        if fault == .truncate {
            answer.removeLast(answer.count / 2)
        }
        try await Self.sleep(until: due)
        return Self.json(status: .ok, answer)
    }

    /// Sleeps until `due` (at once if it has passed), with a tight tolerance: the latency
    /// model's draws are what a client should see.
    private static func sleep(until due: ContinuousClock.Instant) async throws {
        guard due > .now else { return }
        try await Task.sleep(until: due, tolerance: .microseconds(50), clock: .continuous)
    }

    /// Closes the connection with an RST (SO_LINGER 0) so that the client sees a reset, not
    /// an orderly end of stream.
    static func resetConnection(_ channel: any Channel) async {
        if let provider = channel as? any SocketOptionProvider {
            _ = try? await provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
        }
        _ = try? await channel.close().get()
    }

    /// Sleeps up to `seconds`, but stops early when the connection is gone, the task is
    /// cancelled or the simulator is shutting down (so a hang never delays shutdown).
    func hang(seconds: Double, channel: any Channel) async {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .milliseconds(Int64(seconds * 1000)))
        while clock.now < deadline, channel.isActive, !self.state.isShuttingDown {
            do {
                try await Task.sleep(for: .milliseconds(50))
            } catch {
                return
            }
        }
    }

    /// `HTTPFields.Element` is `HTTPTypes.HTTPField`, which Hummingbird does not re-export.
    static let rateLimitRemaining = HTTPFields.Element.Name("X-RateLimit-Remaining")!

    /// A 503 with the configured `Retry-After`, if any.
    private func withRetryAfter(_ response: Response) -> Response {
        guard let value = self.configuration.retryAfter else { return response }
        var response = response
        response.headers[.retryAfter] = value
        return response
    }

    static func json(status: HTTPResponse.Status, _ bytes: [UInt8]) -> Response {
        var headers = HTTPFields()
        headers.reserveCapacity(4)
        headers[.contentType] = "application/json"
        headers[.contentLength] = String(bytes.count)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func errorBody(_ message: String) -> [UInt8] {
        var out: [UInt8] = Array(#"{"success":false,"message":"#.utf8)
        JSONWriter.appendString(message, to: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }

    func statsJSON() -> [UInt8] {
        self.state.statistics().jsonBytes()
    }
}

/// A deliberate failure of the simulator (fault injection).
struct SimulatorFault: Error, CustomStringConvertible {
    let description: String
    static let connectionReset = SimulatorFault(description: "injected connection reset")
}

import AsyncHTTPClient
import Foundation
import NIOCore
import Planning

extension ObservedMetrics {
    /// The most of an answer that is read. A member's exposition is tens of kilobytes; a
    /// bigger answer is not one and is refused rather than held in memory.
    package static let maximumExpositionBytes = 8 << 20

    /// Fetches a running member's Prometheus exposition (`GET url`, e.g.
    /// `http://127.0.0.1:9464/metrics`) and reads the observed figures out of it (the
    /// parsing is Planning's, ``ObservedMetrics/init(exposition:source:)``).
    ///
    /// Throws ``PlanningError`` if the URL is not HTTP(S), the request fails or times
    /// out (`timeout` seconds for the whole request), the status is not 200, the body is
    /// larger than 8 MiB or does not parse, or it has neither the latency histogram nor the
    /// call counter.
    package static func fetch(from url: URL, timeout: TimeInterval = 10) async throws(PlanningError) -> ObservedMetrics {
        let text = url.absoluteString
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host != nil else {
            throw .metrics(.invalidURL, url: text, "not an http(s) URL")
        }
        // A client of its own for one request, that fails at once when nothing listens: the
        // shared client retries establishing a connection until the deadline.
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        let deadline = TimeAmount.milliseconds(Int64(min(max(timeout, 0), 86_400) * 1_000))
        configuration.timeout.connect = deadline
        var request = HTTPClientRequest(url: text)
        request.headers.add(name: "Accept", value: "text/plain;version=0.0.4")

        let answer: (status: UInt, body: ByteBuffer?)
        do {
            answer = try await HTTPClient.withHTTPClient(configuration: configuration) { client in
                let response = try await client.execute(request, timeout: deadline)
                guard response.status == .ok else { return (response.status.code, nil) }
                return (response.status.code, try await response.body.collect(upTo: maximumExpositionBytes))
            }
        } catch {
            throw .metrics(.requestFailed, url: text, "request failed: \(reason(error, timeout: timeout))")
        }
        guard let body = answer.body else {
            throw .metrics(.badStatus, url: text, "HTTP status \(answer.status)")
        }
        let observed: ObservedMetrics
        do {
            observed = try ObservedMetrics(exposition: String(buffer: body), source: text)
        } catch {
            throw .metrics(.invalidExposition, url: text, "not a Prometheus exposition: \(error)")
        }
        guard observed.latencyCount > 0 || observed.totalCalls > 0 else {
            throw .metrics(
                .noAPIMetrics, url: text,
                "no \(latencyMetric) or \(callsMetric) observations (has the member made any API calls?)")
        }
        return observed
    }

    /// Why a request failed, in a few words: NIO's I/O errors name the system call, the
    /// person running `plan` wants to read "Connection refused".
    private static func reason(_ error: any Error, timeout: TimeInterval) -> String {
        if let error = error as? IOError { return String(cString: strerror(error.errnoCode)) }
        if let error = error as? HTTPClientError, error == .deadlineExceeded || error == .connectTimeout {
            return "no answer within \(timeout) s"
        }
        return "\(error)"
    }
}

import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

extension ObservedMetrics {
    /// Fetches a running member's Prometheus exposition (`GET url`, e.g.
    /// `http://127.0.0.1:9464/metrics`) and reads the observed figures out of it.
    ///
    /// Throws ``PlanningError`` if the URL is not HTTP(S), the request fails or times
    /// out, the status is not 200, the body does not parse, or it has neither the latency
    /// histogram nor the call counter.
    public static func fetch(from url: URL, timeout: TimeInterval = 10) async throws(PlanningError) -> ObservedMetrics {
        let text = url.absoluteString
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host != nil else {
            throw PlanningError.metrics(.invalidURL, url: text, "not an http(s) URL")
        }
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.setValue("text/plain;version=0.0.4", forHTTPHeaderField: "Accept")
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }

        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await session.data(for: request)
        } catch {
            throw PlanningError.metrics(.requestFailed, url: text, "request failed: \(error.localizedDescription)")
        }
        if let http = response as? HTTPURLResponse, http.statusCode != 200 {
            throw PlanningError.metrics(.badStatus, url: text, "HTTP status \(http.statusCode)")
        }
        let observed: ObservedMetrics
        do {
            observed = try ObservedMetrics(exposition: String(decoding: data, as: UTF8.self), source: text)
        } catch {
            throw PlanningError.metrics(.invalidExposition, url: text, "not a Prometheus exposition: \(error)")
        }
        guard observed.latencyCount > 0 || observed.totalCalls > 0 else {
            throw PlanningError.metrics(.noAPIMetrics, url: text,
                                        "no \(latencyMetric) or \(callsMetric) observations (has the member made any API calls?)")
        }
        return observed
    }
}

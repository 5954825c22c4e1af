import Foundation
import Operations
import Planning
import Testing

@Suite("--from-metrics against a local canned exposition", .serialized)
struct MetricsFetchTests {
    @Test("fetches, parses, and plans with the observed latency and error rate")
    func endToEnd() async throws {
        try await CannedHTTPServer.serving(body: sampleExposition) { server in
            let observed = try await ObservedMetrics.fetch(from: server.url())
            #expect(server.requests == ["GET /metrics"])
            #expect(observed.source == server.url().absoluteString)
            #expect(observed.meanLatencySeconds == 1.6)
            #expect(abs(try #require(observed.errorRate) - 0.03) <= 1e-9)

            let plan = try CapacityPlan(inputs: PlanInputs(users: 2_000_000), observed: observed)
            #expect(plan.latencySeconds == 1.6)
            #expect(plan.observations?.latencyObserved == true)
            #expect(plan.observations?.errorRateObserved == true)
            #expect(plan.renderTable().contains("observed mean from http://127.0.0.1:\(server.port)/metrics"))
            let json = try #require(try JSONSerialization.jsonObject(with: Data(plan.renderJSON().utf8)) as? [String: Any])
            #expect(json["observed_figures"] as? [String] == ["latency_seconds", "error_rate"])
            let observedJSON = try #require(json["observed"] as? [String: Any])
            #expect(observedJSON["source"] as? String == server.url().absoluteString)
        }
    }

    @Test("a non-200 answer is badStatus")
    func badStatus() async throws {
        try await CannedHTTPServer.serving(status: .notFound, body: "nope") { server in
            await #expect { try await ObservedMetrics.fetch(from: server.url()) } throws: {
                ($0 as? PlanningError)?.code == .badStatus && "\($0)".contains("404")
            }
        }
    }

    @Test("a body that is not an exposition is invalidExposition")
    func notExposition() async throws {
        try await CannedHTTPServer.serving(body: "<html>{{{ not metrics</html>") { server in
            await #expect { try await ObservedMetrics.fetch(from: server.url()) } throws: {
                ($0 as? PlanningError)?.code == .invalidExposition
            }
        }
    }

    @Test("an exposition without API metrics is noAPIMetrics")
    func noAPIMetrics() async throws {
        try await CannedHTTPServer.serving(body: "# TYPE up gauge\nup 1\n") { server in
            await #expect { try await ObservedMetrics.fetch(from: server.url()) } throws: {
                ($0 as? PlanningError)?.code == .noAPIMetrics
            }
        }
    }

    @Test("a body over the bound is refused, not read into memory")
    func oversized() async throws {
        let huge = String(repeating: "# padding\n", count: ObservedMetrics.maximumExpositionBytes / 10 + 1)
        try await CannedHTTPServer.serving(body: huge) { server in
            await #expect { try await ObservedMetrics.fetch(from: server.url()) } throws: {
                ($0 as? PlanningError)?.code == .requestFailed
            }
        }
    }

    @Test("nothing listening is requestFailed; a non-HTTP URL is invalidURL")
    func unreachable() async throws {
        let url = try await CannedHTTPServer.serving(body: "") { $0.url() }
        let started = ContinuousClock.now
        await #expect { try await ObservedMetrics.fetch(from: url, timeout: 5) } throws: {
            ($0 as? PlanningError)?.code == .requestFailed && !"\($0)".contains("\n")
        }
        #expect(ContinuousClock.now - started < .seconds(4), "a refused connection fails at once, not at the deadline")
        await #expect { try await ObservedMetrics.fetch(from: URL(string: "file:///etc/hosts")!) } throws: {
            ($0 as? PlanningError)?.code == .invalidURL
        }
    }
}

/// What `plan --from-metrics` reads of a member's exposition: the API latency's sum and
/// count (mean 1.6 s) and the calls by status (3 % errors). The parser's own cases, the
/// awkward parts of the format included, are in PlanningTests.
private let sampleExposition = """
    # TYPE cardgenius_api_latency_seconds histogram
    cardgenius_api_latency_seconds_sum 1600.0
    cardgenius_api_latency_seconds_count 1000
    # TYPE cardgenius_api_calls_total counter
    cardgenius_api_calls_total{status="2xx"} 970
    cardgenius_api_calls_total{status="429"} 30

    """

import Foundation
import Testing
@testable import Planning

@Suite("--from-metrics against a local canned exposition", .serialized)
struct FromMetricsTests {
    @Test("fetches, parses, and plans with the observed latency and error rate")
    func endToEnd() async throws {
        let server = try CannedHTTPServer(body: sampleExposition)
        defer { server.stop() }
        let observed = try await ObservedMetrics.fetch(from: server.url())
        #expect(server.requests == ["GET /metrics HTTP/1.1"])
        #expect(observed.source == server.url().absoluteString)
        #expect(observed.meanLatencySeconds == 1.6)
        #expect(approx(try #require(observed.errorRate), 0.03))

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

    @Test("a non-200 answer is badStatus")
    func badStatus() async throws {
        let server = try CannedHTTPServer(status: "404 Not Found", body: "nope")
        defer { server.stop() }
        await #expect { try await ObservedMetrics.fetch(from: server.url()) } throws: {
            ($0 as? PlanningError)?.code == .badStatus && "\($0)".contains("404")
        }
    }

    @Test("a body that is not an exposition is invalidExposition")
    func notExposition() async throws {
        let server = try CannedHTTPServer(body: "<html>{{{ not metrics</html>")
        defer { server.stop() }
        await #expect { try await ObservedMetrics.fetch(from: server.url()) } throws: {
            ($0 as? PlanningError)?.code == .invalidExposition
        }
    }

    @Test("an exposition without API metrics is noAPIMetrics")
    func noAPIMetrics() async throws {
        let server = try CannedHTTPServer(body: "# TYPE up gauge\nup 1\n")
        defer { server.stop() }
        await #expect { try await ObservedMetrics.fetch(from: server.url()) } throws: {
            ($0 as? PlanningError)?.code == .noAPIMetrics
        }
    }

    @Test("nothing listening is requestFailed; a non-HTTP URL is invalidURL")
    func unreachable() async throws {
        let server = try CannedHTTPServer(body: "")
        let url = server.url()
        server.stop()
        await #expect { try await ObservedMetrics.fetch(from: url, timeout: 5) } throws: {
            ($0 as? PlanningError)?.code == .requestFailed
        }
        await #expect { try await ObservedMetrics.fetch(from: URL(string: "file:///etc/hosts")!) } throws: {
            ($0 as? PlanningError)?.code == .invalidURL
        }
    }
}

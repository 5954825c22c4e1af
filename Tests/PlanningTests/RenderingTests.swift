import Foundation
import Testing

@testable import Planning

@Suite("Capacity plan: table, JSON and notice")
struct RenderingTests {
    @Test("the table shows the figures, aligned")
    func table() throws {
        let text = try plan(users: 2_000_000) { $0.rateLimitEnabled = false }.renderTable()
        #expect(text.contains("effective calls/s"))
        #expect(text.contains("13.3"))
        #expect(text.contains("41:40 h:mm"))
        #expect(text.contains("(41.67 h)"))
        #expect(text.contains("800"))
        #expect(text.contains("20 peak (burst)"))
        #expect(text.contains("200 MB (10 MB × 20)"))
        #expect(text.contains("rate-limit-disabled") || text.contains("rate limit disabled"))
        #expect(text.contains("70.00 GB"))
        let split = try plan(users: 10) { $0.members = 3 }.renderTable()
        #expect(split.contains("Members (3 over 8 partitions: 3,3,2)"))
        #expect(split.contains("3.75"))
    }

    @Test("JSON parses and has the fields")
    func json() throws {
        let p = try plan(users: 2_000_000) { $0.members = 3 }
        let text = p.renderJSON()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        for key in ["inputs", "throughput", "members", "partition_split", "bandwidth", "api_load", "warnings", "observed_figures"] {
            #expect(object[key] != nil, "missing \(key)")
        }
        let throughput = try #require(object["throughput"] as? [String: Any])
        #expect((throughput["calls_per_second"] as? Double).map { approx($0, 10) } == true)
        #expect(throughput["binding"] as? String == "rate-budget")
        #expect(throughput["duration_hm"] as? String != nil)
        #expect(throughput["latency_observed"] as? Bool == false)
        let members = try #require(object["members"] as? [[String: Any]])
        #expect(members.compactMap { $0["max_in_flight"] as? Int } == [8, 7, 5])
        #expect(members.compactMap { $0["rate_per_second"] as? Double } == [3.75, 3.75, 2.5])
        #expect(object["partition_split"] as? [Int] == [3, 3, 2])
        let bandwidth = try #require(object["bandwidth"] as? [String: Any])
        for key in ["outbound_kb_per_second", "inbound_mbps", "inbound_gb_per_day", "inbound_gb_total", "inbound_burst_kb", "concurrent_connections"] {
            #expect(bandwidth[key] != nil, "missing bandwidth.\(key)")
        }
        let api = try #require(object["api_load"] as? [String: Any])
        #expect(api["memory_mb"] as? Double == 200)
        #expect(api["backends_at_100_concurrent"] as? Double == 0.2)
        #expect(api["requests_per_second_sustained"] as? Double == 10)
        let warnings = try #require(object["warnings"] as? [[String: Any]])
        #expect(warnings.isEmpty, "the shares add up to the workers: \(warnings)")
        #expect(object["notice"] == nil)
        let withNotice = try #require(try JSONSerialization.jsonObject(with: Data(p.renderJSON(includeNotice: true).utf8)) as? [String: Any])
        #expect((withNotice["notice"] as? String)?.contains("Subject:") == true)
    }

    @Test("the notice is the spec's §11.1 message with the plan's figures")
    func notice() throws {
        let text = try plan(users: 2_000_000) { $0.rateLimitEnabled = false }.renderNotice()
        #expect(text.hasPrefix("Subject: High-Volume API Usage Notification - CardGenius Recommendations"))
        #expect(text.contains("- Endpoint: https://card-recommendation-api-v2.bankkaro.com/cg/api/pro"))
        #expect(text.contains("- Concurrent connections: 20"))
        #expect(text.contains("- Requests per second: ~13.3 sustained"))
        #expect(text.contains("- Duration: about 41.7 hours (41:40 h:mm), 1.7 days continuous (for the 2,000,000-user run)"))
        #expect(text.contains("- Total requests: 2,000,000"))
        #expect(text.contains("- Testing: [Date] - 100 users (5 workers, low load, ~3.3 requests/s, about 30 s)"))
        #expect(text.contains("- Small batch: [Date] - 5,000 users (10 workers, medium load, ~6.7 requests/s, about 12.5 min)"))
        #expect(text.contains("- Full batch: [Date] - 2,000,000 users (20 workers, full load, ~13.3 requests/s, about 41.7 h)"))
        #expect(text.contains("1. Are there any rate limits we should be aware of?"))
        #expect(text.hasSuffix("CashKaro Team"))
    }

    @Test("notice phases never exceed the full run")
    func smallRun() throws {
        let p = try plan(users: 50) { $0.workers = 4 }
        let phases = p.noticePhases
        #expect(phases.map(\.plan.inputs.users) == [50, 50, 50])
        #expect(phases.map(\.plan.inputs.workers) == [4, 4, 4])
    }

    @Test("formatting helpers")
    func formatting() {
        #expect(PlanFormat.grouped(2_000_000) == "2,000,000")
        #expect(PlanFormat.grouped(999) == "999")
        #expect(PlanFormat.number(3.75) == "3.75")
        #expect(PlanFormat.number(10) == "10")
        #expect(PlanFormat.hoursMinutes(3750) == "1:03")
        #expect(PlanFormat.hoursMinutes(59 * 60 + 50) == "1:00")
        #expect(PlanFormat.duration(30) == "30 s")
        #expect(PlanFormat.duration(750) == "12.5 min")
    }
}

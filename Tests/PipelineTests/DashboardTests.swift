import Foundation
import Kafka
import Simulator
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The Grafana dashboard against a real Prometheus: Debian's `prometheus` server on
/// loopback scrapes a working `cardgenius consume` member (mock cluster over TCP, the
/// simulator over HTTP, with some 503s and some invalid records so every class of
/// outcome exists), and every query of every panel of `config/grafana/cardgenius.json`
/// goes through Prometheus' HTTP API: it must parse and return at least one series.
@Suite("Grafana dashboard", .serialized)
struct DashboardTests {
    let topics = TestTopics()

    /// One query of one panel.
    struct PanelQuery: CustomStringConvertible {
        var panel: String
        var refID: String
        var expression: String
        var description: String { "\(panel) [\(refID)]: \(expression)" }
    }

    /// Every target of every panel (rows' nested panels included), with Grafana's
    /// `$__rate_interval` replaced by `rateInterval`, as Grafana does before it asks.
    static func queries(rateInterval: String) throws -> [PanelQuery] {
        let data = try Data(contentsOf: URL(fileURLWithPath: Scrape.repository + "/config/grafana/cardgenius.json"))
        let dashboard = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var panels = dashboard["panels"] as? [[String: Any]] ?? []
        var out: [PanelQuery] = []
        while !panels.isEmpty {
            let panel = panels.removeFirst()
            panels += panel["panels"] as? [[String: Any]] ?? []
            for target in panel["targets"] as? [[String: Any]] ?? [] {
                let expression = (target["expr"] as? String ?? "").replacingOccurrences(of: "$__rate_interval", with: rateInterval)
                out.append(
                    PanelQuery(
                        panel: panel["title"] as? String ?? "?", refID: target["refId"] as? String ?? "?",
                        expression: expression))
            }
        }
        return out
    }

    @Test("every panel's query parses and returns series from a real Prometheus scraping a working member")
    func everyPanelHasData() async throws {
        let queries = try Self.queries(rateInterval: "30s")
        #expect(queries.count >= 12, "the dashboard's queries: \(queries.count)")
        let binary = try #require(PrometheusServer.binary, "Debian's prometheus server is needed: make check-alerts installs it")

        let cluster = try Harness.cluster(partitions: 4, topics: (topics.input, topics.output, topics.dlq))
        let sim = try await Harness.simulator(SimulatorConfiguration(latencyMilliseconds: 150, latencySigma: 0.2, fail503: 0.05))
        var records = (0..<4000).map(Harness.user)
        for i in 0..<40 { records.insert(("bad-\(i)", "not a spend record \(i)"), at: i * 90) }
        try await Harness.produce(cluster.bootstrapServers, topic: topics.input, records: records)
        let memberPort = Scrape.freePort()
        let m = try topics.consume(
            cluster, sim.url, group: Harness.unique("g"),
            ["--metrics-port", String(memberPort), "--max-workers", "8", "--rate", "40", "--burst", "8"],
            ["CARDGENIUS_API_RETRY_BASE_DELAY_MS": "20", "CARDGENIUS_API_RETRY_MAX_DELAY_MS": "100"])

        // Prometheus on loopback, scraping the member every second.
        let server = try PrometheusServer(binary: binary, targets: ["127.0.0.1:\(memberPort)"])

        // A few scrapes of a member at work: 10 samples with 2xx calls counted.
        var scraped = 0.0
        let deadline = ContinuousClock.now + .seconds(180)  // a hang guard for a loaded machine
        while ContinuousClock.now < deadline && scraped < 10 {
            try await Task.sleep(for: .milliseconds(500))
            scraped = await server.query(#"count_over_time(cardgenius_api_calls_total{status="2xx"}[1m])"#).firstValue ?? 0
        }
        #expect(
            scraped >= 10, "Prometheus scraped the member \(scraped) times; member stderr: \(m.stderr.suffix(1500)); prometheus: \(server.log.suffix(1500))")
        let lag = await Scrape.metrics("http://127.0.0.1:\(memberPort)")?.sum("cardgenius_consumer_lag_records") ?? 0
        #expect(lag > 0, "the member was still working when the panels were queried")

        for q in queries {
            let answer = await server.query(q.expression)
            #expect(answer.ok, "\(q) does not evaluate: \(answer.detail)")
            #expect(answer.series > 0, "\(q) returns no series")
        }

        await server.stop()
        m.signal(SIGTERM)
        #expect(await m.wait(timeout: .seconds(40)) == 0, "stderr: \(m.stderr.suffix(1500))")
        await sim.stop()
        await cluster.shutdown()
    }
}

import Foundation
import Kafka
import Pipeline
import ProcessTestSupport
import Simulator
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Observability end to end: `cardgenius consume` members as processes with their
/// metrics endpoint, the mock cluster over TCP, the simulator over HTTP.
@Suite("Observability", .serialized)
struct ObservabilityTests {
    let topics = TestTopics()
    var input: String { topics.input }
    var output: String { topics.output }
    var dlq: String { topics.dlq }

    func member(_ cluster: KafkaMockCluster, _ api: String, port: Int, _ args: [String], _ extra: [String: String] = [:]) throws -> Member {
        try topics.consume(
            cluster, api, group: Harness.unique("g"),
            ["--metrics-port", String(port), "--progress-interval", "1"] + args, extra)
    }

    @Test("GET /metrics during a run agrees with what the simulator saw and what reached Kafka")
    func scrapeDuringRun() async throws {
        let cluster = try Harness.cluster(topics: (input, output, dlq))
        let sim = try await Harness.simulator(SimulatorConfiguration(latencyMilliseconds: 60, latencySigma: 0.2))
        let users = (0..<400).map(Harness.user)
        try await Harness.produce(cluster.bootstrapServers, topic: input, records: users)
        let port = Scrape.freePort()
        let m = try member(cluster, sim.url, port: port, ["--max-workers", "6", "--rate", "40", "--burst", "6"])
        let base = "http://127.0.0.1:\(port)"

        // While records wait: ready, with lag.
        var sawLag = false
        var sawReady = false
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline && !(sawLag && sawReady) {
            try await Task.sleep(for: .milliseconds(250))
            guard let metrics = await Scrape.metrics(base) else { continue }
            if metrics.sum("cardgenius_consumer_lag_records") > 0 { sawLag = true }
            if await Scrape.get(base + "/readyz")?.status == 200 { sawReady = true }
        }
        #expect(sawLag, "consumer lag reported while records wait; stderr: \(m.stderr.suffix(1500))")
        #expect(sawReady, "ready while processing")
        #expect(await Scrape.get(base + "/healthz")?.status == 200)

        // At the end: every record recommended, the numbers match the simulator's.
        var metrics = Scrape.Samples([])
        let end = ContinuousClock.now + .seconds(90)
        while ContinuousClock.now < end {
            try await Task.sleep(for: .milliseconds(500))
            guard let now = await Scrape.metrics(base) else { continue }
            metrics = now
            if now.value("cardgenius_records_total", ["outcome": "ok"]) == Double(users.count)
                && now.sum("cardgenius_consumer_lag_records") == 0
            {
                break
            }
        }
        let stats = sim.simulator.statistics()
        #expect(metrics.value("cardgenius_records_total", ["outcome": "ok"]) == Double(users.count))
        #expect(metrics.sum("cardgenius_api_calls_total") == Double(stats.requests), "calls vs simulator requests \(stats)")
        #expect(metrics.value("cardgenius_api_calls_total", ["status": "2xx"]) == Double(stats.count(status: 200)))
        #expect(metrics.value("cardgenius_api_latency_seconds_count") == Double(stats.requests))
        #expect(metrics.value("cardgenius_api_latency_seconds_bucket", ["le": "0.05"]) != nil, "50 ms bucket")
        #expect(metrics.value("cardgenius_api_latency_seconds_bucket", ["le": "30.0"]) != nil, "30 s bucket")
        #expect(metrics.value("cardgenius_record_duration_seconds_count") == Double(users.count))
        #expect(metrics.value("cardgenius_output_delivery_seconds_count") == Double(users.count))
        #expect(metrics.sum("cardgenius_consumer_lag_records") == 0)
        #expect(metrics.value("cardgenius_consumer_lag_seconds") == 0)
        #expect(metrics.value("cardgenius_concurrency_budget_share") == 6)
        #expect(metrics.value("cardgenius_circuit_state") == 0)
        #expect(metrics.value("cardgenius_ready") == 1)
        #expect(metrics.value("cardgenius_api_pool_exhausted_seconds_total") != nil)
        #expect(metrics.sum("cardgenius_committed_offset") == Double(users.count), "commits reach the partitions' ends")
        // Every metric the alert rules use is served.
        let rules = try String(contentsOfFile: Scrape.repository + "/config/prometheus/alerts.yml", encoding: .utf8)
        for name in Scrape.metricNames(in: rules) {
            #expect(metrics.names.contains(name), "alerts.yml uses \(name), which /metrics does not serve")
        }
        let results = RunResults(
            try await Harness.readAll(cluster.bootstrapServers, topics: [output, dlq], atLeast: users.count),
            outputTopic: output)
        #expect(Double(results.outputs.count) == metrics.value("cardgenius_records_total", ["outcome": "ok"]))

        m.signal(SIGTERM)
        #expect(await m.wait(timeout: .seconds(40)) == 0, "stderr tail: \(m.stderr.suffix(1500))")
        #expect(m.stdout.contains("latency p50 / p95 / p99"), "the summary table: \(m.stdout)")
        #expect(m.stderr.contains("progress"), "a progress log line off a terminal")
        await sim.stop()
        await cluster.shutdown()
    }

    @Test("/readyz answers 503 while the circuit breaker is open, and 200 again once CardGenius is back")
    func readinessFollowsTheCircuit() async throws {
        let cluster = try Harness.cluster(topics: (input, output, dlq))
        let users = (0..<800).map(Harness.user)
        try await Harness.produce(cluster.bootstrapServers, topic: input, records: users)
        let sim = try await Harness.simulator(
            SimulatorConfiguration(
                latencyMilliseconds: 50, latencySigma: 0.1, outageAfter: 8, outageFor: 4))
        let port = Scrape.freePort()
        let m = try member(
            cluster, sim.url, port: port,
            ["--max-workers", "8", "--rate", "40", "--burst", "8", "--breaker-threshold", "5", "--breaker-open-ms", "500"],
            ["CARDGENIUS_API_RETRY_BASE_DELAY_MS": "50", "CARDGENIUS_API_RETRY_MAX_DELAY_MS": "300"])
        var phases: [Int] = []  // distinct consecutive /readyz statuses
        var reasons = ""
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            guard let answer = await Scrape.get("http://127.0.0.1:\(port)/readyz") else { continue }
            if phases.last != answer.status { phases.append(answer.status) }
            if answer.status == 503 && phases.contains(200) { reasons = answer.body }
            if phases.starts(with: [200, 503, 200]) || phases.starts(with: [503, 200, 503, 200]) { break }
        }
        #expect(
            phases.contains(200) && phases.firstIndex(of: 200).map { phases[$0...].contains(503) && phases.last == 200 } == true,
            "ready → not ready → ready: \(phases); stderr: \(m.stderr.suffix(1500))")
        #expect(reasons.contains("circuit breaker"), "the reason names the circuit: \(reasons)")
        #expect(reasons.contains("\"status\":\"not ready\""))
        m.signal(SIGTERM)
        #expect(await m.wait(timeout: .seconds(40)) == 0)
        await sim.stop()
        await cluster.shutdown()
    }

    @Test("SIGHUP with processing.max_workers 8 → 2 in the file lowers the concurrency CardGenius sees; a bad file is ignored")
    func sighupRetunes() async throws {
        let cluster = try Harness.cluster(topics: (input, output, dlq))
        let sim = try await Harness.simulator(SimulatorConfiguration(latencyMilliseconds: 300, latencySigma: 0.1))
        let users = (0..<500).map(Harness.user)
        try await Harness.produce(cluster.bootstrapServers, topic: input, records: users)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("cg-hup-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        func write(_ json: String) throws { try json.write(toFile: file, atomically: true, encoding: .utf8) }
        try write(#"{"processing":{"max_workers":8},"api":{"rate_limit":{"requests_per_second":100,"burst":10}}}"#)
        let port = Scrape.freePort()
        let m = try member(cluster, sim.url, port: port, ["--config", file])

        // Running at 8.
        let busy = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < busy && sim.simulator.statistics().peakConcurrency < 6 {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(sim.simulator.statistics().peakConcurrency >= 6, "stderr: \(m.stderr.suffix(1500))")
        #expect(sim.simulator.statistics().peakConcurrency <= 8)

        // A broken file: logged, ignored, the member keeps going.
        try write(#"{"processing":{"max_workers":-1}}"#)
        m.signal(SIGHUP)
        try await Task.sleep(for: .milliseconds(500))
        #expect(m.isRunning)
        #expect(m.stderr.contains("configuration not reloaded"), "stderr: \(m.stderr.suffix(1500))")

        // 8 → 2: within a second the simulator sees at most 2 calls at a time.
        try write(#"{"processing":{"max_workers":2},"api":{"rate_limit":{"requests_per_second":100,"burst":10}}}"#)
        m.signal(SIGHUP)
        try await Task.sleep(for: .seconds(1))
        sim.simulator.resetStatistics()
        try await Task.sleep(for: .seconds(3))
        let after = sim.simulator.statistics()
        #expect(after.peakConcurrency <= 2, "peak concurrency \(after.peakConcurrency) after the retune")
        #expect(after.count(status: 200) > 0, "still working")
        let metrics = await Scrape.metrics("http://127.0.0.1:\(port)")
        #expect((metrics?.sum("cardgenius_consumer_lag_records") ?? 0) > 0, "a backlog remained during the measurement")
        #expect(metrics?.value("cardgenius_concurrency_budget_share") == 2)
        #expect(m.stderr.contains("budgets retuned"), "stderr: \(m.stderr.suffix(1500))")
        #expect(m.stderr.contains("8 → 2"))
        m.signal(SIGTERM)
        #expect(await m.wait(timeout: .seconds(40)) == 0)
        await sim.stop()
        await cluster.shutdown()
    }

    @Test("readiness: assigned, broker heard from recently, circuit closed, not stopping")
    func readinessRules() {
        let ready = PipelineHealth(
            joined: true, assignedPartitions: 0, circuit: .closed, brokerSilence: .seconds(1),
            stopping: false, lag: 0, lagSeconds: 0, throughput: 0)
        #expect(ready.isReady, "an empty assignment in a stable group is ready")
        var h = ready
        h.joined = false
        #expect(h.notReadyReasons == ["not joined: waiting for an assignment"])
        h = ready
        h.brokerSilence = nil
        #expect(!h.isReady)
        h.brokerSilence = PipelineHealth.brokerSilenceLimit + .seconds(1)
        #expect(h.notReadyReasons.first?.hasPrefix("the broker has not answered for") == true)
        for state in [CircuitBreaker.State.open, .halfOpen] {
            h = ready
            h.circuit = state
            #expect(h.notReadyReasons == ["circuit breaker \(state.rawValue): CardGenius is considered down"])
        }
        h = ready
        h.stopping = true
        #expect(h.notReadyReasons == ["stopping"])
    }

    @Test("alert rules: promtool check and unit tests pass (when promtool is installed); every rule is there")
    func alertRules() async throws {
        let rules = try String(contentsOfFile: Scrape.repository + "/config/prometheus/alerts.yml", encoding: .utf8)
        for alert in [
            "CardGeniusErrorRateCritical", "CardGeniusLatencyP95Critical", "CardGeniusNoSuccess",
            "CardGeniusConnectionPoolExhausted", "CardGeniusErrorRateWarning", "CardGeniusLatencyP95Warning",
        ] {
            #expect(rules.contains("- alert: \(alert)\n"), "\(alert) in alerts.yml")
        }
        #expect(rules.contains("> 0.05") && rules.contains("> 0.01") && rules.contains("> 10") && rules.contains("> 5"))
        guard let promtool = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first(where: FileManager.default.isExecutableFile) else {
            return
        }
        for arguments in [
            ["check", "rules", "config/prometheus/alerts.yml"], ["test", "rules", "config/prometheus/alerts_test.yml"],
            ["check", "config", "config/prometheus/prometheus.yml"],
        ] {
            let process = try ChildProcess(arguments, executable: promtool, directory: Scrape.repository)
            let status = await process.waitForExit(timeout: .seconds(120))
            let text = process.stdout + process.stderr
            #expect(status == .exited(0), "promtool \(arguments.joined(separator: " ")): \(text)")
        }
    }
}

/// Reading a member's endpoint: HTTP GETs and the Prometheus text format.
enum Scrape {
    /// The repository's root.
    static var repository: String { CardgeniusExecutable.repository }

    /// A TCP port nobody listens on right now.
    static func freePort() -> Int { HTTP.freePort() }

    static func get(_ url: String) async -> (status: Int, body: String)? { await HTTP.get(url) }

    static func metrics(_ base: String) async -> Samples? {
        guard let answer = await get(base + "/metrics"), answer.status == 200 else { return nil }
        return Samples(parse(answer.body))
    }

    /// `cardgenius_*` metric names an expression text mentions, without histogram suffixes.
    static func metricNames(in text: String) -> Set<String> {
        let regex = try! NSRegularExpression(pattern: "cardgenius_[a-z_]+")
        let range = NSRange(text.startIndex..., in: text)
        return Set(regex.matches(in: text, range: range).compactMap { Range($0.range, in: text).map { String(text[$0]) } })
    }

    struct Sample {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    struct Samples {
        var all: [Sample]
        init(_ all: [Sample]) { self.all = all }
        var names: Set<String> { Set(all.map(\.name)) }
        func sum(_ name: String) -> Double { all.filter { $0.name == name }.reduce(0) { $0 + $1.value } }
        func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
            let matching = all.filter { s in s.name == name && labels.allSatisfy { s.labels[$0.key] == $0.value } }
            return matching.isEmpty ? nil : matching.reduce(0) { $0 + $1.value }
        }
    }

    /// Prometheus text format: `name{a="b",c="d"} value` lines; comments skipped.
    static func parse(_ text: String) -> [Sample] {
        text.split(separator: "\n").compactMap { line -> Sample? in
            guard !line.hasPrefix("#"), let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                return nil
            }
            let head = line[..<space]
            guard let brace = head.firstIndex(of: "{") else { return Sample(name: String(head), labels: [:], value: value) }
            var labels: [String: String] = [:]
            for pair in head[head.index(after: brace)..<head.index(before: head.endIndex)].split(separator: ",") {
                let kv = pair.split(separator: "=", maxSplits: 1)
                if kv.count == 2 { labels[String(kv[0])] = String(kv[1]).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
            }
            return Sample(name: String(head[..<brace]), labels: labels, value: value)
        }
    }
}

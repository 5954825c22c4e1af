import Foundation
import Kafka
import Simulator
import Testing

/// Budgets from a mounted file: a `cardgenius consume` member reading its configuration
/// from a Kubernetes-style `ConfigMap` volume (`cardgenius.json -> ..data/cardgenius.json`,
/// `..data -> ..<timestamp>`) applies changed budgets without SIGHUP.
@Suite("Config file watch", .serialized)
struct ConfigFileWatchTests {
    let topics = TestTopics()

    /// A directory laid out the way the kubelet mounts a ConfigMap, updated the way it does.
    struct ConfigMapVolume {
        let directory: String
        var file: String { directory + "/cardgenius.json" }
        private var generation = 0

        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("cg-cm-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }

        /// Writes `json` into a new timestamped directory and swaps `..data` to it atomically
        /// (a new symlink renamed over the old one), as the kubelet's atomic writer does.
        mutating func publish(_ json: String) throws {
            generation += 1
            let version = "..2026_11_30_00_00_0\(generation).\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: directory + "/" + version, withIntermediateDirectories: false)
            try json.write(toFile: directory + "/" + version + "/cardgenius.json", atomically: false, encoding: .utf8)
            let temporary = directory + "/..data_tmp"
            try? FileManager.default.removeItem(atPath: temporary)
            try FileManager.default.createSymbolicLink(atPath: temporary, withDestinationPath: version)
            #expect(rename(temporary, directory + "/..data") == 0, "rename ..data_tmp → ..data")
            if !FileManager.default.fileExists(atPath: file) {
                try FileManager.default.createSymbolicLink(atPath: file, withDestinationPath: "..data/cardgenius.json")
            }
        }

        func remove() { try? FileManager.default.removeItem(atPath: directory) }
    }

    static func budget(workers: Int, rate: Int) -> String {
        #"{"processing":{"max_workers":\#(workers)},"api":{"rate_limit":{"requests_per_second":\#(rate),"burst":10}}}"#
    }

    /// Scrapes until `done` holds for the member's metrics (a hang guard of 120 s for a loaded
    /// CI machine, not a timing claim: the budgets change within a second or two).
    static func waitForMetrics(_ base: String, _ done: (Scrape.Samples) -> Bool) async throws -> Scrape.Samples? {
        let deadline = ContinuousClock.now + .seconds(120)
        var last: Scrape.Samples?
        while ContinuousClock.now < deadline {
            if let now = await Scrape.metrics(base) {
                last = now
                if done(now) { return now }
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        return last
    }

    @Test("a ConfigMap symlink swap, an invalid file and an in-place rewrite: new budgets on /metrics, the bad file ignored")
    func mountedFileRetunes() async throws {
        let cluster = try Harness.cluster(topics: (topics.input, topics.output, topics.dlq))
        let sim = try await Harness.simulator(SimulatorConfiguration(latencyMilliseconds: 200, latencySigma: 0.1))
        try await Harness.produce(cluster.bootstrapServers, topic: topics.input, records: (0..<3000).map(Harness.user))
        var volume = try ConfigMapVolume()
        defer { volume.remove() }
        try volume.publish(Self.budget(workers: 8, rate: 40))
        let port = Scrape.freePort()
        let base = "http://127.0.0.1:\(port)"
        // The file comes from $CARDGENIUS_CONFIG, as in the Kubernetes manifests.
        let m = try topics.consume(
            cluster, sim.url, group: Harness.unique("g"), ["--metrics-port", String(port)],
            ["CARDGENIUS_CONFIG": volume.file])

        let start = try await Self.waitForMetrics(base) {
            $0.value("cardgenius_concurrency_budget_share") == 8 && $0.sum("cardgenius_api_calls_total") > 0
        }
        #expect(start?.value("cardgenius_concurrency_budget_share") == 8, "stderr: \(m.stderr.suffix(1500))")
        #expect(start?.value("cardgenius_rate_budget_share") == 40)

        // The kubelet's atomic swap of ..data: new budgets, no signal.
        try volume.publish(Self.budget(workers: 3, rate: 25))
        let swapped = try await Self.waitForMetrics(base) {
            $0.value("cardgenius_concurrency_budget_share") == 3 && $0.value("cardgenius_rate_budget_share") == 25
        }
        #expect(swapped?.value("cardgenius_concurrency_budget_share") == 3, "stderr: \(m.stderr.suffix(1500))")
        #expect(swapped?.value("cardgenius_rate_budget_share") == 25)
        // The reloader logs after it has applied the budgets, so /metrics can show them first.
        let logged = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < logged && !m.stderr.contains("configuration file changed: budgets retuned") {
            try await Task.sleep(for: .milliseconds(250))
        }
        #expect(m.stderr.contains("configuration file changed: budgets retuned"), "stderr: \(m.stderr.suffix(1500))")
        #expect(m.stderr.contains("8 → 3"))

        // An invalid file: logged with the loader's message, ignored; the budgets stay.
        try volume.publish(#"{"processing":{"max_workers":0}}"#)
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline && !m.stderr.contains("configuration file changed: configuration not reloaded") {
            try await Task.sleep(for: .milliseconds(250))
        }
        #expect(m.stderr.contains("configuration file changed: configuration not reloaded"), "stderr: \(m.stderr.suffix(1500))")
        #expect(m.stderr.contains("processing.max_workers"), "the error names the key")
        #expect(m.isRunning)
        #expect(await Scrape.metrics(base)?.value("cardgenius_concurrency_budget_share") == 3)

        // A plain rewrite of the file the link points at (no swap) is seen too.
        let target = try FileManager.default.destinationOfSymbolicLink(atPath: volume.directory + "/..data")
        try Self.budget(workers: 5, rate: 30).write(
            toFile: volume.directory + "/" + target + "/cardgenius.json",
            atomically: false, encoding: .utf8)
        let rewritten = try await Self.waitForMetrics(base) { $0.value("cardgenius_concurrency_budget_share") == 5 }
        #expect(rewritten?.value("cardgenius_concurrency_budget_share") == 5, "stderr: \(m.stderr.suffix(1500))")
        #expect(rewritten?.value("cardgenius_rate_budget_share") == 30)
        #expect(m.stderr.contains("3 → 5"))

        m.signal(SIGTERM)
        #expect(await m.wait(timeout: .seconds(40)) == 0, "stderr: \(m.stderr.suffix(1500))")
        await sim.stop()
        await cluster.shutdown()
    }
}

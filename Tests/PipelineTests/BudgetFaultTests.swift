import Foundation
import Kafka
import Simulator
import Testing

/// The group never exceeds its budgets, even while faults happen: real `cardgenius consume`
/// processes, the mock cluster over TCP (with injected faults), the simulator over HTTP
/// counting what reaches it.
@Suite("Budgets under faults", .serialized)
struct BudgetFaultTests {
    let topics = TestTopics()
    var input: String { topics.input }
    var output: String { topics.output }
    var dlq: String { topics.dlq }

    func member(
        _ cluster: KafkaMockCluster, _ api: String, group: String, port: Int? = nil, _ args: [String],
        _ extra: [String: String] = [:]
    ) throws -> Member {
        try topics.consume(cluster, api, group: group, (port.map { ["--metrics-port", String($0)] } ?? []) + args, extra)
    }

    /// How many `assigned` lines a member has logged.
    static func assignments(_ m: Member) -> Int {
        m.stderr.split(separator: "\n").filter { $0.contains("assigned") && $0.contains("partitions") && !$0.contains("unassigned") }.count
    }

    @Test("four members over eight partitions with a budget of 2: never more than 2 calls in flight; starved members hold and say so; every record completes")
    func moreMembersThanSlots() async throws {
        let (cluster, sim, users) = try await topics.start(users: 160, SimulatorConfiguration(latencyMilliseconds: 250, latencySigma: 0.1))
        let group = Harness.unique("g")
        let ports = (0..<4).map { _ in Scrape.freePort() }
        let ms = try ports.map { port in
            try member(
                cluster, sim.url, group: group, port: port,
                ["--exit-when-idle", "3", "--max-workers", "2", "--rate", "100", "--burst", "10"])
        }
        // The two members without a slot: an error line naming the cause and the fix, the
        // metric, and /readyz.
        let starved = await waitUntil(timeout: .seconds(90)) {
            ms.filter { $0.stderr.contains("share of processing.max_workers is 0") }.count >= 2
        }
        #expect(starved, "two members say they have no share")
        #expect(sim.simulator.statistics().peakConcurrency <= 2, "peak \(sim.simulator.statistics().peakConcurrency) over the budget of 2")
        var starvedReady: [String] = []
        var starvedMetric = 0.0
        for (m, port) in zip(ms, ports) where m.stderr.contains("share of processing.max_workers is 0") {
            guard m.isRunning, let ready = await Scrape.get("http://127.0.0.1:\(port)/readyz") else { continue }
            if ready.status == 503 && ready.body.contains("starved") && ready.body.contains("run at most 2 members") {
                starvedReady.append(ready.body)
            }
            starvedMetric += await Scrape.metrics("http://127.0.0.1:\(port)")?.value("cardgenius_member_starved") ?? 0
        }
        #expect(starvedReady.count >= 1, "a starved member's /readyz says why; stderr: \(ms.map { $0.stderr.suffix(800) })")
        #expect(starvedMetric >= 1, "cardgenius_member_starved 1 on a starved member")

        // The members with a slot finish their partitions and leave; the others then get
        // slots and finish the rest.
        for m in ms {
            let status = await m.wait(timeout: .seconds(180))
            #expect(status == 0, "stderr tail: \(m.stderr.suffix(1500))")
        }
        let stats = sim.simulator.statistics()
        #expect(stats.peakConcurrency <= 2, "peak concurrency \(stats.peakConcurrency) over the group's budget of 2")
        let results = RunResults(
            try await Harness.readAll(cluster.bootstrapServers, topics: [output, dlq], atLeast: users.count),
            outputTopic: output)
        #expect(results.userIDsWithResult == Set(users.compactMap(\.key)))
        #expect(ms.contains { $0.stderr.contains("budget share restored") }, "a starved member got a share once others left")
        await sim.stop()
        await cluster.shutdown()
    }

    @Test("members that join while the partition count cannot be read hold at a zero share, not the whole budget")
    func partitionCountUnknown() async throws {
        let (cluster, sim, users) = try await topics.start(users: 200, SimulatorConfiguration(latencyMilliseconds: 300, latencySigma: 0.1))
        let group = Harness.unique("g")
        // Every answer of the broker takes 3 s: the metadata read (2 s at most) never answers,
        // the group still forms (heartbeats every 2 s, 10 s session).
        try cluster.setRoundTrip(broker: 1, .seconds(3))
        let port = Scrape.freePort()
        let args = ["--exit-when-idle", "3", "--max-workers", "4", "--rate", "100", "--burst", "10"]
        let a = try member(cluster, sim.url, group: group, port: port, args)
        let b = try member(cluster, sim.url, group: group, args)
        try await waitFor("both members assigned", timeout: .seconds(120)) {
            Self.assignments(a) >= 1 && Self.assignments(b) >= 1
        }
        // Records are fetched; neither member takes the whole budget (4 each would be 8).
        try await Task.sleep(for: .seconds(8))
        #expect(sim.simulator.statistics().peakConcurrency <= 4, "peak \(sim.simulator.statistics().peakConcurrency) over the budget of 4")
        #expect(
            a.stderr.contains("partition count") || b.stderr.contains("partition count"),
            "the hold is logged; stderr: \(a.stderr.suffix(1000))")
        if let ready = await Scrape.get("http://127.0.0.1:\(port)/readyz"), a.stderr.contains("is unknown"),
            !a.stderr.contains("budget share restored")
        {
            #expect(ready.status == 503 && ready.body.contains("partition count"), "\(ready.body)")
        }
        // The broker answers again: the count is read, the shares apply, everything completes.
        try cluster.setRoundTrip(broker: 1, .zero)
        for m in [a, b] {
            let status = await m.wait(timeout: .seconds(120))
            #expect(status == 0, "stderr tail: \(m.stderr.suffix(1500))")
        }
        #expect(sim.simulator.statistics().peakConcurrency <= 4)
        let results = RunResults(
            try await Harness.readAll(cluster.bootstrapServers, topics: [output, dlq], atLeast: users.count),
            outputTopic: output)
        #expect(results.userIDsWithResult == Set(users.compactMap(\.key)))
        await sim.stop()
        await cluster.shutdown()
    }

    @Test("calls still running for revoked partitions are cancelled when the revocation drain ends")
    func revokedCallsCancelled() async throws {
        // Every call hangs (until its connection closes).
        let (cluster, sim, _) = try await topics.start(
            users: 80,
            SimulatorConfiguration(
                latencyMilliseconds: 50, latencySigma: 0.1, failHang: 1, hangSeconds: 300))
        let group = Harness.unique("g")
        let args = ["--max-workers", "8", "--rate", "100", "--burst", "20"]
        let env = ["CARDGENIUS_PROCESSING_DRAIN_TIMEOUT_S": "2", "CARDGENIUS_API_REQUEST_TIMEOUT_S": "300"]
        let a = try member(cluster, sim.url, group: group, args, env)
        try await waitFor("8 calls hang at the simulator") { sim.simulator.statistics().inFlight >= 8 }
        // A second member: the first gives up half its partitions after a 2 s drain.
        let b = try member(cluster, sim.url, group: group, args, env)
        try await waitFor("the rebalance is over", timeout: .seconds(90)) {
            Self.assignments(a) >= 2 && Self.assignments(b) >= 1
        }
        try await Task.sleep(for: .seconds(2))
        sim.simulator.resetStatistics()  // the peak restarts from what is in flight now
        try await Task.sleep(for: .seconds(4))
        let stats = sim.simulator.statistics()
        #expect(
            stats.peakConcurrency <= 8, "\(stats.peakConcurrency) calls in flight over the group's budget of 8: calls of revoked partitions outlived the drain")
        #expect(stats.inFlight >= 1, "the members work on (their new calls hang too)")
        #expect(a.stderr.contains("cancelled 8 API call(s)"), "stderr: \(a.stderr.suffix(1500))")
        for m in [a, b] { m.signal(SIGTERM) }
        for m in [a, b] { #expect(await m.wait(timeout: .seconds(60)) == 0, "stderr tail: \(m.stderr.suffix(1000))") }
        await sim.stop()
        await cluster.shutdown()
    }

    @Test("raising processing.max_workers live from 4 to 16 puts 16 calls in flight at the API")
    func liveRaiseReachesTheAPI() async throws {
        let (cluster, sim, _) = try await topics.start(users: 400, SimulatorConfiguration(latencyMilliseconds: 4000, latencySigma: 0.05))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("cg-raise-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        func write(_ workers: Int) throws {
            try #"{"processing":{"max_workers":\#(workers)},"api":{"rate_limit":{"requests_per_second":100,"burst":20}}}"#
                .write(toFile: file, atomically: true, encoding: .utf8)
        }
        try write(4)
        let m = try member(cluster, sim.url, group: Harness.unique("g"), ["--config", file])
        try await waitFor("4 calls in flight") { sim.simulator.statistics().inFlight >= 4 }
        #expect(sim.simulator.statistics().peakConcurrency <= 4)
        try write(16)
        m.signal(SIGHUP)
        try await waitFor("budgets retuned") { m.stderr.contains("budgets retuned") }
        // Within a couple of 4 s calls the stand-in sees all 16.
        let reached = await waitUntil(timeout: .seconds(30)) { sim.simulator.statistics().inFlight >= 16 }
        #expect(
            reached,
            "in flight at the API: \(sim.simulator.statistics().inFlight), peak \(sim.simulator.statistics().peakConcurrency); the extra calls queued in the HTTP client"
        )
        #expect(sim.simulator.statistics().peakConcurrency <= 16)
        m.signal(SIGTERM)
        #expect(await m.wait(timeout: .seconds(60)) == 0, "stderr tail: \(m.stderr.suffix(1000))")
        await sim.stop()
        await cluster.shutdown()
    }
}

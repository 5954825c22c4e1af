import Foundation
import Kafka
import Simulator
import Testing

/// Broker faults end to end: real `cardgenius consume` processes against a 3-broker mock
/// cluster that, while records flow, refuses produce and commit requests, loses a broker
/// for several seconds, answers slowly and moves the group coordinator.
@Suite("Broker faults end to end", .serialized)
struct BrokerFaultTests {
    let topics = TestTopics()

    @Test(
        "retriable produce and commit errors, a broker down, slow round trips, a moving coordinator: one result or more per record, none dead-lettered, offsets at the end"
    )
    func brokerFaults() async throws {
        let cluster = try KafkaMockCluster(brokers: 3, logger: Harness.logger())
        for t in [topics.input, topics.output, topics.dlq] { try cluster.createTopic(t, partitions: 6, replicationFactor: 3) }
        let sim = try await Harness.simulator(SimulatorConfiguration(top: 2, latencyMilliseconds: 100, latencySigma: 0.1))
        let users = (0..<1200).map(Harness.user)
        try await Harness.produce(cluster.bootstrapServers, topic: topics.input, records: users)
        let group = Harness.unique("g")
        let args = ["--exit-when-idle", "4", "--max-workers", "8", "--rate", "200", "--burst", "20"]
        let members = try (0..<2).map { _ in
            try topics.consume(
                cluster, sim.url, group: group, args,
                ["CARDGENIUS_KAFKA_PROPERTIES": #"{"session.timeout.ms":"10000","heartbeat.interval.ms":"1000"}"#])
        }
        try await waitFor("records flow") { sim.simulator.statistics().count(status: 200) >= 100 }

        let faults = "produce,commit,down,rtt,coord"
        // Retriable produce and commit errors.
        if faults.contains("produce") { cluster.pushRequestErrors(.produce, Array(repeating: .notEnoughReplicas, count: 20)) }
        if faults.contains("commit") {
            cluster.pushRequestErrors(
                .offsetCommit,
                [
                    .coordinatorNotAvailable, .notCoordinator, .requestTimedOut,
                    .coordinatorNotAvailable, .requestTimedOut,
                ])
        }
        try await Task.sleep(for: .seconds(2))
        // One broker down for 5 s.
        if faults.contains("down") { try cluster.setBroker(2, up: false) }
        try await Task.sleep(for: .seconds(5))
        try cluster.setBroker(2, up: true)
        // Round trips of 300 ms on every broker for 4 s.
        if faults.contains("rtt") { for b in Int32(1)...3 { try cluster.setRoundTrip(broker: b, .milliseconds(300)) } }
        try await Task.sleep(for: .seconds(4))
        for b in Int32(1)...3 { try cluster.setRoundTrip(broker: b, .zero) }
        // The group coordinator moves twice.
        if faults.contains("coord") { try cluster.setGroupCoordinator(group, broker: 3) }
        try await Task.sleep(for: .seconds(2))
        if faults.contains("coord") { try cluster.setGroupCoordinator(group, broker: 1) }
        let doneAtFaultsEnd = sim.simulator.statistics().count(status: 200)

        for m in members {
            let status = await m.wait(timeout: .seconds(240))
            #expect(status == 0, "stderr tail: \(m.stderr.suffix(2000))")
        }
        #expect(doneAtFaultsEnd < users.count, "the faults happened while records flowed (\(doneAtFaultsEnd) done)")
        let committed = try await Harness.committed(cluster.bootstrapServers, group: group, topic: topics.input, partitions: 6)
        #expect(committed.values.reduce(0, +) == Int64(users.count), "committed offsets reach the end: \(committed)")
        let results = RunResults(
            try await Harness.readToEnd(cluster.bootstrapServers, topics: [topics.output, topics.dlq]),
            outputTopic: topics.output)
        let missing = Set(users.compactMap(\.key)).subtracting(results.userIDsWithResult)
        if !missing.isEmpty {
            let inputs = try await Harness.readAll(cluster.bootstrapServers, topics: [topics.input], atLeast: users.count)
            let missingAt = inputs.filter { missing.contains($0.keyString ?? "") }.map { "\($0.partition):\($0.offset)" }
            for (i, m) in members.enumerated() { try? m.stderr.write(toFile: "/tmp/broker-faults-member-\(i).log", atomically: true, encoding: .utf8) }
            Issue.record("\(missing.count) records without a result, at \(missingAt.sorted()); outputs \(results.outputs.count); committed \(committed)")
        }
        #expect(results.deadLetters.isEmpty, "no valid record is dead-lettered because of the broker: \(results.deadLetters.count)")
        let redone = results.sources.count - Set(results.sources).count
        // In flight (8) plus what completed while commits could not land: the mock cluster
        // refuses every commit while the group rebalances (real Kafka accepts them until the
        // new generation forms), and commits wait while the coordinator moves, so a hand-over
        // here redoes up to a rebalance's worth of work. Measured: 0–340 of 1,200
        // (BENCHMARKS.md, section 5); the bound catches a redo of everything.
        #expect(redone <= users.count / 3, "records redone: \(redone)")
        print("broker faults: \(users.count) records, \(redone) redone")
        await sim.stop()
        await cluster.shutdown()
    }
}

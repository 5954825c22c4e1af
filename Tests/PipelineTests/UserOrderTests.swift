import Foundation
import Kafka
import Simulator
import Testing

/// The output contract orders one user's results by `user_id`: records whose Kafka key is
/// missing are ordered with the user's keyed records, end to end.
@Suite("Per-user order by user_id", .serialized)
struct UserOrderTests {
    let topics = TestTopics()

    @Test("one user's records, some without a Kafka key: their results are published in the records' order")
    func missingKeysKeepOrder() async throws {
        let (cluster, sim, _) = try await topics.start(
            partitions: 1, users: 0,
            SimulatorConfiguration(top: 2, latencyMilliseconds: 200, latencySigma: 0.9))
        // 20 users, 5 records each, interleaved; every other record of a user has no key.
        var records: [(key: String?, value: String)] = []
        for round in 0..<5 {
            for u in 0..<20 {
                let user = Harness.user(u)
                records.append((round % 2 == 0 ? user.key : nil, user.value))
            }
        }
        try await Harness.produce(cluster.bootstrapServers, topic: topics.input, records: records)
        let member = try topics.consume(
            cluster, sim.url, group: Harness.unique("g"),
            ["--exit-when-idle", "3", "--max-workers", "8", "--rate", "200", "--burst", "20"])
        let status = await member.wait(timeout: .seconds(180))
        if status == nil { member.child.kill() }
        #expect(status == 0, "stderr tail: \(member.stderr.suffix(1500))")
        let results = RunResults(
            try await Harness.readToEnd(cluster.bootstrapServers, topics: [topics.output, topics.dlq]),
            outputTopic: topics.output)
        #expect(results.outputs.count >= records.count)
        var lastOffset: [String: Int64] = [:]
        var outOfOrder: [String] = []
        for record in results.outputs {
            guard let json = try? JSONSerialization.jsonObject(with: Data(record.value ?? [])) as? [String: Any],
                let user = json["user_id"] as? String, let source = json["source"] as? [String: Any],
                let offset = (source["offset"] as? NSNumber)?.int64Value
            else { continue }
            if let last = lastOffset[user], offset < last { outOfOrder.append("\(user): \(offset) after \(last)") }
            lastOffset[user] = max(lastOffset[user] ?? -1, offset)
        }
        #expect(outOfOrder.isEmpty, "results out of their user's order: \(outOfOrder.prefix(10))")
        await sim.stop()
        await cluster.shutdown()
    }
}

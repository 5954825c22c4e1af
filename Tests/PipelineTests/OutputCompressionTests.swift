import Foundation
import Kafka
import Simulator
import Testing

/// `kafka.output_compression` reaches the member's producer, and what the data team reads
/// back is the same whatever the codec.
@Suite("Output compression", .serialized)
struct OutputCompressionTests {
    @Test("zstd and none: librdkafka runs with the codec; every user has one recommendation with the API's savings", arguments: ["zstd", "none"])
    func codec(_ codec: String) async throws {
        let topics = TestTopics()
        let cluster = try Harness.cluster(partitions: 4, topics: (topics.input, topics.output, topics.dlq))
        let sim = try await Harness.simulator(SimulatorConfiguration(top: 3, latencyMilliseconds: 5, latencySigma: 0.1))
        let users = (0..<60).map(Harness.user)
        try await Harness.produce(cluster.bootstrapServers, topic: topics.input, records: users)
        let m = try topics.consume(
            cluster, sim.url, group: Harness.unique("g"), ["--exit-when-idle", "1"],
            ["CARDGENIUS_KAFKA_OUTPUT_COMPRESSION": codec])
        #expect(await m.wait(timeout: .seconds(180)) == 0, "stderr: \(m.stderr.suffix(1500))")
        #expect(m.stderr.contains("output compression: \(codec)"), "stderr: \(m.stderr.suffix(1500))")
        let records = try await Harness.readAll(cluster.bootstrapServers, topics: [topics.output, topics.dlq], atLeast: users.count)
        let outputs = records.filter { $0.topic == topics.output }
        #expect(Set(outputs.compactMap(\.keyString)).count == users.count)
        for r in outputs {
            let object = try JSONSerialization.jsonObject(with: Data(r.value ?? [])) as? [String: Any]
            #expect((object?["savings"] as? [Any])?.count == 3, "\(String(decoding: r.value ?? [], as: UTF8.self).prefix(300))")
        }
        await sim.stop()
        await cluster.shutdown()
    }
}

import Foundation
import Logging
import Testing

@testable import Kafka

/// librdkafka 2.0.2 drops a partition's fetch start when a pause or resume bumps the
/// partition's op version in between, and every pause or resume call bumps it, whether or
/// not it changes anything: the consumer issues only those that change what the application
/// paused. librdkafka's own `topic` debug lines tell which calls reached it.
@Suite("Partition control")
struct PartitionControlTests {
    @Test("pauses and resumes reach librdkafka only when they change what the application paused")
    func onlyRealChanges() async throws {
        let cluster = try KafkaMockCluster(brokers: 1, logger: testLogger())
        let topic = uniqueName("control")
        try cluster.createTopic(topic, partitions: 2)
        var config = KafkaConsumerConfiguration(bootstrapServers: cluster.bootstrapServers, groupID: uniqueName("g"))
        config.debug = "topic"
        let lines = LogLines()
        let consumer = try KafkaConsumer(configuration: config, logger: Logger(label: "capture") { _ in LogCapture(lines: lines) })
        let seen = EventBox()
        let pump = Task {
            for await event in consumer.events {
                switch event {
                case .assigned(let offsets): seen.assigned(offsets.map(\.topicPartition))
                case .revoked(let revocation): revocation.acknowledge()
                default: break
                }
            }
        }
        try await consumer.subscribe(topics: [topic])
        try await waitUntil("both partitions assigned") { seen.lastAssignment.count == 2 }
        try await Task.sleep(for: .seconds(2))
        let (p0, p1) = (KafkaTopicPartition(topic: topic, partition: 0), KafkaTopicPartition(topic: topic, partition: 1))
        let start = lines.count
        try await consumer.resume([p0])  // never paused
        try await consumer.pause([p1])
        try await consumer.pause([p1])  // already paused
        try await consumer.resume([p1])
        try await consumer.resume([p1])  // already resumed
        try await Task.sleep(for: .seconds(2))
        let after = lines.since(start)
        #expect(after.filter { $0.contains("not paused by application") }.isEmpty, "a resume of a partition not paused: \(after)")
        #expect(
            after.filter { $0.contains("op_pause_resume") && $0.contains("new version barrier") }.count == 2,
            "one op-version bump for the pause, one for the resume: \(after)")
        #expect(after.filter { $0.contains("Pause \(topic) [1]: at offset") }.count == 1, "\(after)")
        #expect(after.filter { $0.contains("Resuming \(topic) [1]: at offset") }.count == 1, "\(after)")
        #expect(after.filter { $0.contains("\(topic) [0]") }.isEmpty, "nothing reached partition 0: \(after)")
        await consumer.close()
        _ = await pump.value
        await cluster.shutdown()
    }
}

/// Log messages collected by ``LogCapture``.
final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var count: Int { lock.withLock { lines.count } }
    func since(_ index: Int) -> [String] { lock.withLock { Array(lines[index...]) } }
}

/// A log handler that keeps every message (librdkafka's debug lines included).
struct LogCapture: LogHandler {
    let lines: LogLines
    var logLevel: Logger.Level = .debug
    var metadata: Logger.Metadata = [:]
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(
        level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String,
        file: String, function: String, line: UInt
    ) {
        lines.append(message.description)
    }
}

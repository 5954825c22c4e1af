import Foundation
import Synchronization
import Testing

@testable import Kafka

/// The librdkafka this test process loaded: `make test` runs on Debian's 2.0.2,
/// `make test-librdkafka-current` on the wheel's current one (LIBRDKAFKA_EXPECTED_VERSION says
/// which, so a run that silently fell back to the system library fails here).
@Suite("librdkafka version")
struct LibrdkafkaVersionTests {
    @Test("rd_kafka_version() is the librdkafka this run is meant to test")
    func loadedVersion() {
        let expected = ProcessInfo.processInfo.environment["LIBRDKAFKA_EXPECTED_VERSION"] ?? "2.0.2"
        #expect(KafkaLibrary.versionString == expected, "LD_LIBRARY_PATH=\(ProcessInfo.processInfo.environment["LD_LIBRARY_PATH"] ?? "")")
        #expect(KafkaLibrary.describe(version: KafkaLibrary.version) == expected)
        #expect(KafkaLibrary.describe(version: KafkaLibrary.consumerGroupProtocolVersion) == "2.12.0")
    }
}

/// `group.protocol=consumer` (KIP-848) in the wrapper: what the member leaves to the broker,
/// the refusal on an old librdkafka, and incremental assignments on 2.16's mock cluster.
@Suite("Consumer group protocol (KIP-848)")
struct ConsumerGroupProtocolTests {
    static let current = KafkaLibrary.supportsConsumerGroupProtocol
    static let skipped = "needs librdkafka >= 2.12 (this run loaded \(KafkaLibrary.versionString)); runs under make test-librdkafka-current"

    @Test("classic sends session, heartbeat and assignor; consumer leaves them to the broker")
    func properties() {
        var config = KafkaConsumerConfiguration(bootstrapServers: "localhost:9092", groupID: "g")
        let classic = config.rdKafkaProperties()
        #expect(classic["session.timeout.ms"] == "10000")
        #expect(classic["heartbeat.interval.ms"] == "2000")
        #expect(classic["partition.assignment.strategy"] == "roundrobin")
        #expect(classic["group.protocol"] == nil, "unknown to librdkafka < 2.4")
        config.groupProtocol = .consumer
        config.groupInstanceID = "pod-0"
        config.properties = ["group.remote.assignor": "range"]
        let consumer = config.rdKafkaProperties()
        #expect(consumer["group.protocol"] == "consumer")
        #expect(consumer["session.timeout.ms"] == nil)
        #expect(consumer["heartbeat.interval.ms"] == nil)
        #expect(consumer["partition.assignment.strategy"] == nil)
        #expect(consumer["group.remote.assignor"] == "range")
        #expect(consumer["group.instance.id"] == "pod-0")
    }

    @Test(
        "on librdkafka < 2.12 a consumer-protocol member is refused with one line naming the version needed",
        .enabled(if: !current, "librdkafka \(KafkaLibrary.versionString) supports the consumer protocol"))
    func refusedOnOldLibrary() {
        var config = KafkaConsumerConfiguration(bootstrapServers: "localhost:9092", groupID: "g")
        config.groupProtocol = .consumer
        do {
            _ = try KafkaConsumer(configuration: config, logger: testLogger())
            Issue.record("a consumer-protocol member was created on librdkafka \(KafkaLibrary.versionString)")
        } catch let error as KafkaError {
            #expect(error.code == .configuration)
            #expect(error.message.contains(">= 2.12.0") && error.message.contains(KafkaLibrary.versionString), "\(error)")
            #expect(!error.message.contains("\n"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test(
        "a member joining takes only some partitions: the first member is revoked those alone, keeps the others, then hears an empty assignment",
        .enabled(if: current, "\(skipped)"))
    func incrementalJoin() async throws {
        let cluster = try KafkaMockCluster(brokers: 1, logger: testLogger())
        let topic = uniqueName("kip848")
        try cluster.createTopic(topic, partitions: 4)
        let group = uniqueName("g")
        var config = KafkaConsumerConfiguration(bootstrapServers: cluster.bootstrapServers, groupID: group)
        config.groupProtocol = .consumer
        let first = try KafkaConsumer(configuration: config, logger: testLogger())
        try await first.subscribe(topics: [topic])
        let log = EventLog()
        let reader = Task {
            for await event in first.events {
                switch event {
                case .assigned(let offsets): log.append("assigned \(offsets.map(\.topicPartition.partition).sorted())")
                case .revoked(let r):
                    log.append("revoked \(r.partitions.map(\.partition).sorted())")
                    r.acknowledge()
                default: break
                }
            }
        }
        #expect(await poll(timeout: .seconds(30)) { (try? first.assignment().count) == 4 }, "\(log.records)")
        let second = try KafkaConsumer(configuration: config, logger: testLogger())
        try await second.subscribe(topics: [topic])
        let secondReader = Task { for await event in second.events { if case .revoked(let r) = event { r.acknowledge() } } }
        #expect(
            await poll(timeout: .seconds(30)) {
                (try? first.assignment().count) == 2 && (try? second.assignment().count) == 2
            }, "\(log.records)")
        // librdkafka follows the revocation with an assignment, empty here: the pipeline's
        // "rebalancing" state (readiness, exit when idle, the stall detector) ends on it.
        #expect(await poll(timeout: .seconds(10)) { log.records.last == "assigned []" }, "\(log.records)")
        let events = log.records
        #expect(events.first == "assigned [0, 1, 2, 3]", "\(events)")
        let revoked = events.filter { $0.hasPrefix("revoked") }
        #expect(revoked.count == 1 && revoked.first != "revoked [0, 1, 2, 3]", "only the partitions that move: \(events)")
        await second.close()
        await first.close()
        reader.cancel()
        secondReader.cancel()
        await cluster.shutdown()
    }
}

/// What a test's reader task saw, in order.
private final class EventLog: Sendable {
    private let storage = Mutex<[String]>([])
    func append(_ line: String) { storage.withLock { $0.append(line) } }
    var records: [String] { storage.withLock { $0 } }
}

/// Whether `condition` came to hold within `timeout` (checked every 100 ms).
private func poll(timeout: Duration, _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(100))
    }
    return condition()
}

import Configuration
import Foundation
import Kafka
import Logging
import ProcessTestSupport
import ServiceLifecycle
import Settings
import Simulator

/// Real parts for the application's in-process tests: the dev broker (librdkafka's mock
/// cluster over TCP) with the default topics, and the simulator over HTTP.
enum AppHarness {
    static func logger(_ label: String = "test") -> Logger { TestLogging.logger(label) }

    /// A broker with the settings' default input, output and dead-letter topics.
    static func cluster(partitions: Int32) throws -> KafkaMockCluster {
        let cluster = try KafkaMockCluster(brokers: 1, logger: logger())
        let kafka = ServiceSettings().kafka
        for topic in [kafka.inputTopic, kafka.outputTopic, kafka.dlqTopic] { try cluster.createTopic(topic, partitions: partitions) }
        return cluster
    }

    /// Settings as the CLI loads them, from `overrides` only (no file, no environment).
    static func settings(_ overrides: [String: String]) throws -> ServiceSettings {
        try settings(overrides.mapValues(ConfigContent.string))
    }

    /// Settings as the CLI loads them, from typed `overrides` only (no file, no environment).
    static func settings(_ overrides: [String: ConfigContent]) throws -> ServiceSettings {
        try ServiceSettings.load(file: nil, environment: [:], overrides: overrides)
    }

    /// The reloads of those settings, as a member follows them.
    static func settingsWatcher(_ overrides: [String: String]) async throws -> SettingsWatcher {
        try await SettingsWatcher(file: nil, environment: [:], overrides: overrides.mapValues(ConfigContent.string), logger: logger())
    }

    /// `count` valid users' records (`user-0`…), one JSON object per line.
    static func users(_ count: Int) -> String {
        (0..<count).map { #"{"user_id":"user-\#($0)","amazon_spends":\#(1000 + $0 % 50 * 100),"fuel":\#($0 % 7 * 500)}"# + "\n" }
            .joined()
    }

    /// A fresh file path in the temporary directory.
    static func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent(TestLogging.unique(name)).path
    }

    /// The simulator in-process on a random port, answering after ~`latency` ms.
    static func simulator(latency: Double) async throws -> (url: String, stop: @Sendable () async -> Void) {
        let sim = APISimulator(
            configuration: SimulatorConfiguration(
                host: "127.0.0.1", port: 0, top: 2,
                latencyMilliseconds: latency, latencySigma: 0.1),
            logger: logger())
        let group = ServiceGroup(configuration: .init(services: [.init(service: sim)], logger: logger()))
        let task = Task { try await group.run() }
        let port = try await sim.waitUntilListening()
        return (
            "http://127.0.0.1:\(port)/cg/api/pro",
            {
                await group.triggerGracefulShutdown()
                _ = await task.result
            }
        )
    }

    /// The group's committed offsets on `topic`, by partition.
    static func committed(_ bootstrap: String, group: String, topic: String, partitions: Int32) async throws -> [Int32: Int64] {
        let consumer = try KafkaConsumer(configuration: .init(bootstrapServers: bootstrap, groupID: group), logger: logger())
        let list = try await consumer.committed((0..<partitions).map { KafkaTopicPartition(topic: topic, partition: $0) })
        await consumer.close()
        return Dictionary(uniqueKeysWithValues: list.map { ($0.topicPartition.partition, $0.offset) })
    }
}

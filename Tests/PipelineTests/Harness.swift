import CardGenius
import Foundation
import Kafka
import Logging
@_exported import ProcessTestSupport
import ServiceLifecycle
import Simulator

/// Real parts for end-to-end tests: the mock cluster over TCP, the simulator over HTTP,
/// and `cardgenius` members as separate processes.
enum Harness {
    static func logger(_ label: String = "test") -> Logger { TestLogging.logger(label) }

    static func unique(_ prefix: String) -> String { TestLogging.unique(prefix) }

    /// The `cardgenius` executable built next to the test bundle (or $CARDGENIUS_BIN).
    static var binary: String { CardgeniusExecutable.path }

    /// A broker with the three topics, 8 partitions each unless told.
    static func cluster(partitions: Int32 = 8, topics: (String, String, String)) throws -> KafkaMockCluster {
        let cluster = try KafkaMockCluster(brokers: 1, logger: logger())
        for t in [topics.0, topics.1, topics.2] { try cluster.createTopic(t, partitions: partitions) }
        return cluster
    }

    /// Publishes `values` keyed by their user id, in order, with a cohort header.
    static func produce(_ bootstrap: String, topic: String, records: [(key: String?, value: String)], cohort: String = "2026-W48") async throws {
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: bootstrap), logger: logger())
        let batch = records.map {
            KafkaProducerRecord(
                topic: topic, key: $0.key.map { Array($0.utf8) }, value: Array($0.value.utf8),
                headers: [KafkaHeader(name: "cohort", string: cohort)])
        }
        for r in try await producer.sendBatch(batch) { _ = try r.get() }
        await producer.close()
    }

    /// A valid user record's JSON.
    static func user(_ i: Int) -> (key: String?, value: String) {
        let id = "user-\(i)"
        return (id, #"{"user_id":"\#(id)","amazon_spends":\#(1000 + i % 50 * 100),"fuel":\#(i % 7 * 500),"hotels_annual":\#(i % 5 * 10000)}"#)
    }

    /// Reads every record of `topics` up to each partition's end (its high watermark when
    /// asked), however many duplicates they hold.
    static func readToEnd(_ bootstrap: String, topics: [String], timeout: Duration = .seconds(60)) async throws -> [KafkaRecord] {
        let consumer = try KafkaConsumer(configuration: .init(bootstrapServers: bootstrap, groupID: unique("reader")), logger: logger())
        var ends: [KafkaTopicPartition: Int64] = [:]
        for topic in topics {
            for p in 0..<Int32(try await consumer.partitionCount(topic: topic)) {
                let tp = KafkaTopicPartition(topic: topic, partition: p)
                let high = try await consumer.watermarks(tp).high
                if high > 0 { ends[tp] = high }
            }
        }
        return try await read(consumer, topics: topics, timeout: timeout, settle: .zero) { records in
            var reached: [KafkaTopicPartition: Int64] = [:]
            for r in records { reached[r.topicPartition] = max(reached[r.topicPartition] ?? -1, r.offset) }
            return ends.allSatisfy { (reached[$0.key] ?? -1) >= $0.value - 1 }
        }
    }

    /// Reads `topics` from the beginning until `count` records arrived or `timeout`.
    static func readAll(
        _ bootstrap: String, topics: [String], atLeast count: Int, timeout: Duration = .seconds(60),
        settle: Duration = .seconds(1)
    ) async throws -> [KafkaRecord] {
        let consumer = try KafkaConsumer(configuration: .init(bootstrapServers: bootstrap, groupID: unique("reader")), logger: logger())
        // `settle`: let duplicates, if any, arrive too.
        return try await read(consumer, topics: topics, timeout: timeout, settle: settle) { $0.count >= count }
    }

    /// Reads `topics` with `consumer` (in a group of its own) until `done` holds or `timeout`.
    private static func read(
        _ consumer: KafkaConsumer, topics: [String], timeout: Duration, settle: Duration,
        until done: @escaping ([KafkaRecord]) -> Bool
    ) async throws -> [KafkaRecord] {
        try await consumer.subscribe(topics: topics)
        let deadline = ContinuousClock.now + timeout
        let box = RecordBox()
        let reader = Task {
            for await event in consumer.events {
                if case .records(let batch) = event { box.append(batch) }
                if case .revoked(let r) = event { r.acknowledge() }
            }
        }
        while ContinuousClock.now < deadline && !done(box.records) { try await Task.sleep(for: .milliseconds(200)) }
        try await Task.sleep(for: settle)
        await consumer.close()
        _ = await reader.value
        return box.records
    }

    /// The group's committed offsets of `topic`'s partitions.
    static func committed(_ bootstrap: String, group: String, topic: String, partitions: Int32) async throws -> [Int32: Int64] {
        let consumer = try KafkaConsumer(configuration: .init(bootstrapServers: bootstrap, groupID: group), logger: logger())
        let list = try await consumer.committed((0..<partitions).map { KafkaTopicPartition(topic: topic, partition: $0) })
        await consumer.close()
        return Dictionary(uniqueKeysWithValues: list.map { ($0.topicPartition.partition, $0.offset) })
    }

    /// Starts the simulator in-process on a random port.
    static func simulator(_ configuration: SimulatorConfiguration) async throws -> RunningSimulator {
        var config = configuration
        config.host = "127.0.0.1"
        config.port = 0
        let sim = APISimulator(configuration: config, logger: logger())
        let group = ServiceGroup(configuration: .init(services: [.init(service: sim)], logger: logger()))
        let task = Task { try await group.run() }
        let port = try await sim.waitUntilListening()
        return RunningSimulator(simulator: sim, group: group, task: task, url: "http://127.0.0.1:\(port)/cg/api/pro")
    }
}

/// A test's own input, output and dead-letter topics, and `cardgenius consume` members
/// pointed at them (commits every 200 ms, so "duplicates only among what was in flight"
/// has a tight bound).
struct TestTopics {
    let input = Harness.unique("in")
    let output = Harness.unique("out")
    let dlq = Harness.unique("dlq")

    /// A broker with these topics (`partitions` each), the simulator, and `count` valid users
    /// published to the input topic.
    func start(partitions: Int32 = 8, users count: Int, _ simulator: SimulatorConfiguration) async throws
        -> (cluster: KafkaMockCluster, sim: RunningSimulator, users: [(key: String?, value: String)])
    {
        let cluster = try Harness.cluster(partitions: partitions, topics: (input, output, dlq))
        let sim = try await Harness.simulator(simulator)
        let users = (0..<count).map(Harness.user)
        if !users.isEmpty { try await Harness.produce(cluster.bootstrapServers, topic: input, records: users) }
        return (cluster, sim, users)
    }

    /// Environment that points a member at these topics (plus extras).
    func environment(_ extra: [String: String] = [:]) -> [String: String] {
        [
            "CARDGENIUS_KAFKA_INPUT_TOPIC": input, "CARDGENIUS_KAFKA_OUTPUT_TOPIC": output,
            "CARDGENIUS_KAFKA_DLQ_TOPIC": dlq, "CARDGENIUS_PROCESSING_COMMIT_INTERVAL_MS": "200",
        ].merging(extra) { $1 }
    }

    /// Starts `cardgenius consume` in `group` against `cluster` and `api`.
    func consume(
        _ cluster: KafkaMockCluster, _ api: String, group: String, _ args: [String],
        _ extra: [String: String] = [:]
    ) throws -> Member {
        try Member(
            [
                "consume", "--brokers", cluster.bootstrapServers, "--api-url", api, "--group", group,
                "--log-level", "info",
            ] + args, environment: environment(extra))
    }
}

struct RunningSimulator {
    let simulator: APISimulator
    let group: ServiceGroup
    let task: Task<Void, any Error>
    let url: String

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = await task.result
    }
}

/// Records collected by a reader task.
typealias RecordBox = Collected<KafkaRecord>

/// A `cardgenius` child process with its output captured in files: a ``ChildProcess``
/// under the name the pipeline tests use.
final class Member: @unchecked Sendable {
    /// The process.
    let child: ChildProcess
    var isRunning: Bool { child.isRunning }
    var stdoutPath: String { child.stdoutPath }
    var stderrPath: String { child.stderrPath }

    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        child = try ChildProcess(arguments, environment: environment)
    }

    /// `cardgenius consume` against a broker and API.
    static func consume(bootstrap: String, api: String, group: String, extra: [String] = []) throws -> Member {
        try Member(["consume", "--brokers", bootstrap, "--api-url", api, "--group", group, "--log-level", "info"] + extra)
    }

    func signal(_ sig: Int32) { child.signal(sig) }

    /// Waits for the process to exit; returns its exit status (or the signal that ended it),
    /// or nil on time-out.
    func wait(timeout: Duration) async -> Int32? {
        switch await child.waitForExit(timeout: timeout) {
        case .exited(let code)?: return code
        case .signalled(let signal)?: return signal
        case nil: return nil
        }
    }

    var stdout: String { child.stdout }
    var stderr: String { child.stderr }
}

/// What the output and dead-letter topics say about a run.
struct RunResults {
    var outputs: [KafkaRecord]
    var deadLetters: [KafkaRecord]

    init(_ records: [KafkaRecord], outputTopic: String) {
        outputs = records.filter { $0.topic == outputTopic }
        deadLetters = records.filter { $0.topic != outputTopic }
    }

    /// Input offsets that have a result, as `partition:offset`.
    var sources: [String] {
        outputs.compactMap { r -> String? in
            guard let json = try? JSONSerialization.jsonObject(with: Data(r.value ?? [])) as? [String: Any],
                let source = json["source"] as? [String: Any],
                let p = source["partition"] as? Int, let o = source["offset"] as? Int
            else { return nil }
            return "\(p):\(o)"
        } + deadLetters.map { "\($0.headers.string("source.partition") ?? "?"):\($0.headers.string("source.offset") ?? "?")" }
    }

    var userIDsWithResult: Set<String> {
        Set(outputs.compactMap(\.keyString) + deadLetters.compactMap(\.keyString))
    }
}

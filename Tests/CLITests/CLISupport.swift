import Foundation
import Kafka
import Logging
@_exported import ProcessTestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
import KafkaTestSupport
#endif

// Helpers for process-level tests: `cardgenius` child processes with captured output,
// polling, scratch directories, and a few Kafka shortcuts (the test's own broker).

enum CLI {
    /// A quiet logger for in-process Kafka clients (CARDGENIUS_TEST_LOG=debug to see librdkafka).
    static func logger(_ label: String = "cli-test") -> Logger { TestLogging.logger(label) }

    static func unique(_ prefix: String) -> String { TestLogging.unique(prefix) }

    /// The `cardgenius` executable built next to the test bundle (or $CARDGENIUS_BIN).
    static var binary: String { CardgeniusExecutable.path }

    /// Runs `cardgenius arguments` to completion (SIGKILLed after `timeout`).
    static func run(
        _ arguments: [String], environment: [String: String] = [:], directory: String? = nil,
        timeout: Duration = .seconds(60)
    ) async throws -> Finished {
        let child = try ChildProcess(arguments, environment: environment, directory: directory)
        defer { child.kill() }
        guard let status = await child.waitForExit(timeout: timeout) else {
            Issue.record("cardgenius \(arguments.joined(separator: " ")) did not exit within \(timeout)\nstderr:\n\(child.stderr)")
            throw TimedOut(what: "cardgenius \(arguments.first ?? "")")
        }
        return Finished(status: status, stdout: child.stdout, stderr: child.stderr)
    }
}

/// What a finished child process left behind.
struct Finished: CustomStringConvertible {
    var status: ChildProcess.Status
    var stdout: String
    var stderr: String

    var stdoutLines: [String] { stdout.split(separator: "\n").map(String.init) }
    /// Non-blank lines of stderr.
    var stderrLines: [String] {
        stderr.split(separator: "\n").map(String.init).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
    }
    var description: String { "status \(status)\n--- stdout ---\n\(stdout)\n--- stderr ---\n\(stderr)" }
}

/// A scratch directory, removed when released.
final class ScratchDirectory: @unchecked Sendable {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("cg-cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    /// Writes `contents` to `name` and returns its path.
    @discardableResult
    func write(_ name: String, _ contents: String) throws -> String {
        let p = file(name)
        try contents.write(toFile: p, atomically: true, encoding: .utf8)
        return p
    }

    func read(_ name: String) -> String? { try? String(contentsOfFile: file(name), encoding: .utf8) }
    func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: file(name)) }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

// MARK: - JSON

/// Parses one line of JSON into an object (nil if it is not one).
func jsonObject(_ line: String) -> [String: Any]? {
    (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
}

// MARK: - Kafka

/// A record as `tail` prints it.
struct TailedRecord: Hashable {
    var partition: Int32
    var offset: Int64
    var key: String?
    var value: String  // the value re-serialized (sorted keys) or the string value
    var headers: [String: String]

    init?(line: String) {
        guard let o = jsonObject(line), let p = o["partition"] as? Int, let off = o["offset"] as? Int else { return nil }
        partition = Int32(p)
        offset = Int64(off)
        key = o["key"] as? String
        if let s = o["value"] as? String {
            value = s
        } else if let v = o["value"], !(v is NSNull),
            let data = try? JSONSerialization.data(withJSONObject: v, options: [.sortedKeys, .fragmentsAllowed])
        {
            value = String(decoding: data, as: UTF8.self)
        } else {
            value = ""
        }
        headers = (o["headers"] as? [String: Any] ?? [:]).compactMapValues { $0 as? String }
    }

    var position: Position { Position(partition: partition, offset: offset) }
}

struct Position: Hashable, Comparable, CustomStringConvertible {
    var partition: Int32
    var offset: Int64
    static func < (a: Position, b: Position) -> Bool { (a.partition, a.offset) < (b.partition, b.offset) }
    var description: String { "\(partition):\(offset)" }
}

/// An `{"event":"assigned"|"revoked",...}` line of `tail`'s stderr.
struct AssignmentEvent {
    var event: String
    var pid: Int32
    var partitions: Set<Int32>

    init?(line: String) {
        guard let o = jsonObject(line), let event = o["event"] as? String, let pid = o["pid"] as? Int,
            let list = o["partitions"] as? [[String: Any]]
        else { return nil }
        self.event = event
        self.pid = Int32(pid)
        partitions = Set(list.compactMap { ($0["partition"] as? Int).map(Int32.init) })
    }

    /// The partitions a member owns after replaying its events in order.
    static func current(_ events: [AssignmentEvent]) -> Set<Int32> {
        var owned = Set<Int32>()
        for e in events {
            if e.event == "assigned" { owned.formUnion(e.partitions) }
            if e.event == "revoked" { owned.subtract(e.partitions) }
        }
        return owned
    }
}

extension ChildProcess {
    /// The records this `tail` process printed so far.
    var tailedRecords: [TailedRecord] { stdoutLines.compactMap(TailedRecord.init(line:)) }
    /// This `tail` process's assignment events so far.
    var assignmentEvents: [AssignmentEvent] { stderrLines.compactMap(AssignmentEvent.init(line:)) }
    /// The partitions this `tail` process owns according to its events.
    var ownedPartitions: Set<Int32> { AssignmentEvent.current(assignmentEvents) }
}

enum TestKafka {
    /// A one-broker mock cluster in this process with `topics` (name → partitions).
    static func cluster(_ topics: [String: Int32]) throws -> KafkaMockCluster {
        let cluster = try KafkaMockCluster(brokers: 1, logger: CLI.logger())
        for (name, partitions) in topics { try cluster.createTopic(name, partitions: partitions) }
        return cluster
    }

    /// Runs `body` with the bootstrap list of a fresh cluster, and shuts the cluster down after it.
    static func withCluster<T>(_ topics: [String: Int32], _ body: (String) async throws -> T) async throws -> T {
        let c = try cluster(topics)
        do {
            let result = try await body(c.bootstrapServers)
            await c.shutdown()
            return result
        } catch {
            await c.shutdown()
            throw error
        }
    }

    /// Publishes `records` (value, partition) and waits for every acknowledgement.
    static func produce(_ bootstrap: String, topic: String, _ records: [(key: String, value: String, partition: Int32?)]) async throws {
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: bootstrap), logger: CLI.logger())
        let batch = records.map {
            KafkaProducerRecord(topic: topic, partition: $0.partition, key: Array($0.key.utf8), value: Array($0.value.utf8))
        }
        var failure: (any Error)?
        for result in try await producer.sendBatch(batch) {
            if case .failure(let error) = result { failure = error }
        }
        await producer.close()
        if let failure { throw failure }
    }

    /// Reads `topic` from the beginning (a fresh group) until `count` records arrived or `timeout`.
    static func read(_ bootstrap: String, topic: String, count: Int, timeout: Duration = .seconds(30)) async throws -> [KafkaRecord] {
        try await TopicReader.read(bootstrap, topic: topic, count: count, timeout: timeout)
    }

    /// The committed offsets of `group` for `topic`'s partitions (negative: nothing committed).
    static func committed(_ bootstrap: String, group: String, topic: String, partitions: Int32) async throws -> [Int32: Int64] {
        let consumer = try KafkaConsumer(configuration: .init(bootstrapServers: bootstrap, groupID: group), logger: CLI.logger())
        let list = try await consumer.committed((0..<partitions).map { KafkaTopicPartition(topic: topic, partition: $0) })
        await consumer.close()
        return Dictionary(uniqueKeysWithValues: list.map { ($0.topicPartition.partition, $0.offset) })
    }
}

/// Records collected by a reader task.
typealias RecordBox = Collected<KafkaRecord>

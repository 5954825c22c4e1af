import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Kafka
import Logging
import Testing

// Helpers for process-level tests: `cardgenius` child processes with captured output,
// polling, scratch directories, and a few Kafka shortcuts (the test's own broker).

enum CLI {
    /// A quiet logger for in-process Kafka clients (CARDGENIUS_TEST_LOG=debug to see librdkafka).
    static func logger(_ label: String = "cli-test") -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = ProcessInfo.processInfo.environment["CARDGENIUS_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .error
        return logger
    }

    static func unique(_ prefix: String) -> String { "\(prefix)-\(UInt32.random(in: 0...UInt32.max))" }

    /// The `cardgenius` executable built next to the test bundle (or $CARDGENIUS_BIN).
    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["CARDGENIUS_BIN"] { return path }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("cardgenius").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/cardgenius").path
    }

    /// Runs `cardgenius arguments` to completion (SIGKILLed after `timeout`).
    static func run(_ arguments: [String], environment: [String: String] = [:], directory: String? = nil,
                    timeout: Duration = .seconds(60)) async throws -> Finished {
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

struct TimedOut: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}

/// Polls `condition` every `interval` until it holds or `timeout` passes; returns whether it held.
@discardableResult
func waitUntil(timeout: Duration, interval: Duration = .milliseconds(100),
               _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try await condition() { return true }
        if ContinuousClock.now >= deadline { return false }
        try? await Task.sleep(for: interval)
    }
}

/// A `cardgenius` child process with stdout and stderr captured in files.
/// It is SIGKILLed when released, so no test leaves a process behind.
final class ChildProcess: @unchecked Sendable {
    enum Status: Equatable, CustomStringConvertible {
        case exited(Int32)
        case signalled(Int32)
        var description: String {
            switch self {
            case .exited(let code): return "exit \(code)"
            case .signalled(let signal): return "signal \(signal)"
            }
        }
    }

    let process = Process()
    let arguments: [String]
    let stdoutPath: String
    let stderrPath: String

    /// Starts `cardgenius arguments`. CARDGENIUS_* variables of the test's environment are
    /// not passed on; `environment` is added.
    init(_ arguments: [String], environment: [String: String] = [:], directory: String? = nil) throws {
        let dir = FileManager.default.temporaryDirectory
        let id = UUID().uuidString
        self.arguments = arguments
        stdoutPath = dir.appendingPathComponent("cg-cli-\(id).out").path
        stderrPath = dir.appendingPathComponent("cg-cli-\(id).err").path
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CARDGENIUS_") }
        env.merge(environment) { $1 }
        process.environment = env
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle(forWritingAtPath: stdoutPath)
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }

    func signal(_ sig: Int32) { if process.isRunning { _ = Foundation.kill(pid, sig) } }

    /// SIGKILL, if still running.
    func kill() { signal(SIGKILL) }

    /// Waits for the process to end; nil on time-out (the process is left running).
    func waitForExit(timeout: Duration) async -> Status? {
        let ended = await waitUntil(timeout: timeout, interval: .milliseconds(50)) { !process.isRunning }
        guard ended else { return nil }
        switch process.terminationReason {
        case .exit: return .exited(process.terminationStatus)
        case .uncaughtSignal: return .signalled(process.terminationStatus)
        @unknown default: return .exited(process.terminationStatus)
        }
    }

    var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Complete lines of stdout (a line still being written is left out).
    var stdoutLines: [String] { Self.completeLines(stdout) }
    var stderrLines: [String] { Self.completeLines(stderr) }

    private static func completeLines(_ text: String) -> [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.removeLast()  // after the last "\n": empty, or a partial line
        return lines.filter { !$0.isEmpty }
    }

    deinit {
        if process.isRunning {
            _ = Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: stdoutPath)
        try? FileManager.default.removeItem(atPath: stderrPath)
    }
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

// MARK: - HTTP

enum HTTP {
    /// A TCP port nobody listens on right now (bound to port 0, then released).
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// GET `url`: the status and body, or nil when nothing answered.
    static func get(_ url: String) async -> (status: Int, body: String)? {
        var request = URLRequest(url: URL(string: url)!)
        request.timeoutInterval = 2
        guard let (data, response) = try? await URLSession.shared.data(for: request),
              let http = response as? HTTPURLResponse else { return nil }
        return (http.statusCode, String(decoding: data, as: UTF8.self))
    }
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
                  let data = try? JSONSerialization.data(withJSONObject: v, options: [.sortedKeys, .fragmentsAllowed]) {
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
              let list = o["partitions"] as? [[String: Any]] else { return nil }
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
        let consumer = try KafkaConsumer(configuration: .init(bootstrapServers: bootstrap, groupID: CLI.unique("cli-reader")),
                                         logger: CLI.logger())
        try await consumer.subscribe(topics: [topic])
        let box = RecordBox()
        let reader = Task {
            for await event in consumer.events {
                switch event {
                case .records(let batch): box.append(batch)
                case .revoked(let revocation): revocation.acknowledge()
                default: break
                }
            }
        }
        await waitUntil(timeout: timeout) { box.count >= count }
        await consumer.close()
        _ = await reader.value
        return box.records
    }

    /// The number of records in `topic` (sum of the high watermarks; nothing is deleted in these tests).
    static func recordCount(_ bootstrap: String, topic: String) async throws -> Int64 {
        let consumer = try KafkaConsumer(configuration: .init(bootstrapServers: bootstrap, groupID: CLI.unique("cli-count")),
                                         logger: CLI.logger())
        do {
            let partitions = try await consumer.partitionCount(topic: topic)
            var total: Int64 = 0
            for p in 0..<partitions {
                total += try await consumer.watermarks(KafkaTopicPartition(topic: topic, partition: Int32(p))).high
            }
            await consumer.close()
            return total
        } catch {
            await consumer.close()
            throw error
        }
    }

    /// The committed offsets of `group` for `topic`'s partitions (negative: nothing committed).
    static func committed(_ bootstrap: String, group: String, topic: String, partitions: Int32) async throws -> [Int32: Int64] {
        let consumer = try KafkaConsumer(configuration: .init(bootstrapServers: bootstrap, groupID: group), logger: CLI.logger())
        let list = try await consumer.committed((0..<partitions).map { KafkaTopicPartition(topic: topic, partition: $0) })
        await consumer.close()
        return Dictionary(uniqueKeysWithValues: list.map { ($0.topicPartition.partition, $0.offset) })
    }
}

final class RecordBox: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [KafkaRecord] = []
    func append(_ r: [KafkaRecord]) { lock.withLock { storage += r } }
    var count: Int { lock.withLock { storage.count } }
    var records: [KafkaRecord] { lock.withLock { storage } }
}

import ArgumentParser
import Foundation
import Kafka
import Operations
import StrictJSON
import Logging

/// `cardgenius tail`: prints a topic's records as JSON lines (a debugging consumer).
struct TailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Print a topic's records as JSON lines; partition assignments go to stderr.",
        discussion: """
        Each line: {"topic","partition","offset","key","headers":{...},"value":...} (the value \
        inline when it is JSON, else as a string). With --group it joins that consumer group and, \
        with --commit, commits what it printed.
        """
    )

    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: "The topic to read (default: kafka.output_topic).")
    var topic: String?

    @Option(name: .long, help: "Consumer group (default: a fresh one, reading from the beginning).")
    var group: String?

    @Flag(name: .long, help: "Commit the offsets of printed records.")
    var commit = false

    @Option(name: .long, help: "Stop after this many records.")
    var max: Int?

    @Option(name: .long, help: ArgumentHelp("Stop once every partition is at its end and nothing arrived for this long.", valueName: "SECONDS"))
    var exitWhenIdle: Double?

    @Option(name: .long, help: ArgumentHelp("Session timeout for the group.", valueName: "MS"))
    var sessionTimeoutMs: Int = 10_000

    func run() async throws {
        let settings = try common.settings()
        let logger = common.logging.makeLogger("cardgenius.tail")
        let topic = topic ?? settings.kafka.outputTopic
        if let group, commit {
            try await PipelineGroupGuard(settings, logger: logger).exitIfRefused(group, command: "tail --commit")
        }
        var config = KafkaConsumerConfiguration(bootstrapServers: settings.kafka.bootstrapServers,
                                                groupID: group ?? "cardgenius-tail-\(UInt32.random(in: 0...UInt32.max))")
        config.properties = settings.kafka.properties
        config.emitEndOfPartition = exitWhenIdle != nil
        config.sessionTimeout = .milliseconds(sessionTimeoutMs)
        config.heartbeatInterval = .milliseconds(Swift.max(100, sessionTimeoutMs / 5))
        let consumer = try KafkaConsumer(configuration: config, logger: logger)
        try await consumer.subscribe(topics: [topic])

        var printed = 0
        let idle = IdleTracker()
        let checkpoint = TailCheckpoint()
        let commit = commit
        // Whoever stops the consumer commits first: librdkafka does not answer a commit
        // made once the consumer closes (the revocation during close commits nothing).
        let stop: @Sendable () async -> Void = {
            if commit { await checkpoint.commit(consumer) }
            await consumer.close()
        }
        let watcher = exitWhenIdle.map { seconds in idle.watch(idle: .milliseconds(Int(seconds * 1000)), stop: stop) }
        defer { watcher?.cancel() }
        loop: for await event in consumer.events {
            switch event {
            case .records(let records):
                idle.records(records.map(\.topicPartition))
                var out = ""
                for r in records {
                    if let max, printed >= max { break }
                    out += Self.render(r) + "\n"
                    checkpoint.printed(r)
                    printed += 1
                }
                FileHandle.standardOutput.write(Data(out.utf8))
                if commit { await checkpoint.commit(consumer) }
                if let max, printed >= max { break loop }
            case .assigned(let offsets):
                idle.assigned(offsets.map(\.topicPartition))
                Self.event("assigned", offsets.map(\.topicPartition), member: consumer.memberID)
            case .revoked(let revocation):
                if commit && !consumer.isClosing {
                    await checkpoint.commit(consumer, of: revocation.partitions)
                }
                checkpoint.revoked(revocation.partitions)
                idle.revoked(revocation.partitions)
                Self.event("revoked", revocation.partitions, member: consumer.memberID)
                revocation.acknowledge()
            case .endOfPartition(let position):
                idle.end(position.topicPartition)
            case .error(let error):
                logger.warning("\(error)")
            case .statistics:
                break
            }
        }
        await stop()
    }

    static func event(_ name: String, _ partitions: [KafkaTopicPartition], member: String?) {
        let list = partitions.sorted().map { #"{"topic":"\#($0.topic)","partition":\#($0.partition)}"# }.joined(separator: ",")
        let line = #"{"event":"\#(name)","member":"\#(member ?? "")","pid":\#(getpid()),"partitions":[\#(list)]}"# + "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// One record as one JSON line (keys sorted): `topic`, `partition`, `offset`, `key`
    /// (null when none), `headers` {name: text or null}, `value` (inline when it is JSON,
    /// else as a string; null when none).
    static func render(_ r: KafkaRecord) -> String {
        var headers: [String: JSONValue] = [:]
        for h in r.headers { headers[h.name] = h.stringValue.map(JSONValue.string) ?? .null }
        let value: JSONValue
        if let bytes = r.value {
            value = (try? JSONDecoder().decode(JSONValue.self, from: Data(bytes)))
                ?? .string(String(decoding: bytes, as: UTF8.self))
        } else {
            value = .null
        }
        let line = TailLine(topic: r.topic, partition: r.partition, offset: r.offset,
                            key: r.keyString.map(JSONValue.string) ?? .null, headers: headers, value: value)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]  // slashes escaped ("\/"), as JSONSerialization wrote them
        return String(decoding: (try? encoder.encode(line)) ?? Data(), as: UTF8.self)
    }

    /// The shape of a line ``render(_:)`` prints.
    private struct TailLine: Encodable {
        var topic: String
        var partition: Int32
        var offset: Int64
        var key: JSONValue
        var headers: [String: JSONValue]
        var value: JSONValue
    }
}

import Foundation
import Kafka
import Logging
import Settings
import StrictJSON

/// The reader behind `tail`: prints a topic's records as JSON lines on stdout and the
/// partition assignments as JSON lines on stderr. In a group of its own (reading from the
/// beginning) unless ``group`` names one; with ``commit`` it commits what it printed.
package struct TailJob {
    package var settings: ServiceSettings
    package var topic: String
    /// The consumer group (nil: a fresh one).
    package var group: String?
    /// Whether to commit the offsets of printed records.
    package var commit = false
    /// Stop after this many records.
    package var max: Int?
    /// Stop once every partition is at its end and nothing arrived for this long.
    package var exitWhenIdle: Duration?
    /// The group session timeout.
    package var sessionTimeoutMs = 10_000
    package var logger: Logger
    /// Where each batch of printed lines goes (newline-terminated): standard output for
    /// `tail`; a test collects them instead.
    package var output: @Sendable (String) -> Void = { lines in
        FileHandle.standardOutput.write(Data(lines.utf8))
    }

    package init(settings: ServiceSettings, topic: String, logger: Logger) {
        self.settings = settings
        self.topic = topic
        self.logger = logger
    }

    /// Reads until ``max`` records, ``exitWhenIdle``, or the consumer closes.
    package func run() async throws {
        var config = KafkaConsumerConfiguration(
            bootstrapServers: settings.kafka.bootstrapServers,
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
        let watcher = exitWhenIdle.map { idle.watch(idle: $0, stop: stop) }
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
                output(out)
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
            value =
                (try? JSONDecoder().decode(JSONValue.self, from: Data(bytes)))
                ?? .string(String(decoding: bytes, as: UTF8.self))
        } else {
            value = .null
        }
        let line = TailLine(
            topic: r.topic, partition: r.partition, offset: r.offset,
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

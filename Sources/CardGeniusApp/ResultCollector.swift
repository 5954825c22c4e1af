import Foundation
import Kafka
import Logging
import ServiceLifecycle
import Settings
import Synchronization

/// Reads the output and dead-letter topics as a downstream consumer would, writes the
/// recommendations to a JSONL file as they arrive, and says when every input record has
/// a result (counted by source partition and offset, so duplicates are not double-counted).
final class ResultCollector: Service, Sendable {
    private let consumer: KafkaConsumer
    private let outputTopic: String
    private let expected: Int
    private let file: FileHandle
    private let onComplete: @Sendable () -> Void
    private let logger: Logger
    private struct State {
        var sources = Set<SourceKey>()
        var recommended = 0
        var deadLetters: [String: Int] = [:]
        var duplicates = 0
        var completed = false
    }
    private struct SourceKey: Hashable {
        var partition: Int32
        var offset: Int64
    }
    private let state = Mutex(State())

    init(
        settings: ServiceSettings, expected: Int, outputPath: String, logger: Logger,
        onComplete: @escaping @Sendable () -> Void
    ) async throws {
        var config = KafkaConsumerConfiguration(
            bootstrapServers: settings.kafka.bootstrapServers,
            groupID: "cardgenius-run-collector-\(UInt32.random(in: 0...UInt32.max))")
        config.properties = settings.kafka.properties
        consumer = try KafkaConsumer(configuration: config, logger: logger)
        try await consumer.subscribe(topics: [settings.kafka.outputTopic, settings.kafka.dlqTopic])
        outputTopic = settings.kafka.outputTopic
        guard FileManager.default.createFile(atPath: outputPath, contents: nil),
            let handle = FileHandle(forWritingAtPath: outputPath)
        else {
            throw UsageError("cannot write \(outputPath)")
        }
        file = handle
        self.expected = expected
        self.onComplete = onComplete
        self.logger = logger
    }

    /// Distinct input records with a result (recommendation or dead letter).
    var done: Int { state.withLock { $0.sources.count } }
    var recommended: Int { state.withLock { $0.recommended } }
    var deadLetters: [String: Int] { state.withLock { $0.deadLetters } }
    var duplicates: Int { state.withLock { $0.duplicates } }

    func run() async throws {
        await withGracefulShutdownHandler {
            for await event in consumer.events {
                switch event {
                case .records(let records): take(records)
                case .revoked(let r): r.acknowledge()
                default: break
                }
            }
        } onGracefulShutdown: {
            Task { await self.consumer.close() }
        }
        try? file.close()
    }

    private func take(_ records: [KafkaRecord]) {
        var lines = Data()
        var fire = false
        state.withLock { s in
            for r in records {
                let key: SourceKey?
                if r.topic == outputTopic {
                    key = Self.source(ofOutput: r.value ?? [])
                    if let value = r.value {
                        lines.append(contentsOf: value)
                        lines.append(0x0A)
                    }
                } else {
                    key = Int32(r.headers.string("source.partition") ?? "").flatMap { p in
                        Int64(r.headers.string("source.offset") ?? "").map { SourceKey(partition: p, offset: $0) }
                    }
                }
                guard let key else { continue }
                if s.sources.insert(key).inserted {
                    if r.topic == outputTopic { s.recommended += 1 } else { s.deadLetters[r.headers.string("error.class") ?? "?", default: 0] += 1 }
                } else {
                    s.duplicates += 1
                }
            }
            if !s.completed && s.sources.count >= expected {
                s.completed = true
                fire = true
            }
        }
        if !lines.isEmpty { file.write(lines) }
        if fire { onComplete() }
    }

    /// The `source` object near the start of an output record.
    private static func source(ofOutput value: [UInt8]) -> SourceKey? {
        let marker = Array(#""source":{"#.utf8)
        guard let start = value.firstRange(of: marker)?.upperBound,
            let end = value[start...].firstIndex(of: UInt8(ascii: "}")),
            let source = try? JSONDecoder().decode(Source.self, from: Data([UInt8(ascii: "{")] + value[start...end]))
        else { return nil }
        return SourceKey(partition: source.partition, offset: source.offset)
    }

    /// The output record's `source` object.
    private struct Source: Decodable {
        var partition: Int32
        var offset: Int64
    }
}

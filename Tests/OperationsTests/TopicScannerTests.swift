import Foundation
import Kafka
import Logging
import Operations
import Testing

@Suite("TopicScanner reads topics outside the group, against the mock cluster")
struct TopicScannerTests {
    @Test("scan reads every partition to the end it had when the scan started")
    func scanToEnd() async throws {
        let cluster = try KafkaMockCluster(brokers: 1, logger: OperationsTest.logger())
        let topic = OperationsTest.unique("scan")
        try cluster.createTopic(topic, partitions: 3)
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: cluster.bootstrapServers), logger: OperationsTest.logger())
        _ = try await producer.sendBatch((0..<300).map { KafkaProducerRecord(topic: topic, key: "u\($0 % 17)", value: Array("\($0)".utf8)) })
        let scanner = TopicScanner(KafkaAccess(bootstrapServers: cluster.bootstrapServers, logger: OperationsTest.logger()))
        let ranges = try await scanner.partitions(of: topic)
        #expect(ranges.count == 3)
        #expect(ranges.map(\.count).reduce(0, +) == 300)
        // Records written after the ranges were taken are not read.
        _ = try await producer.sendBatch((300..<350).map { KafkaProducerRecord(topic: topic, key: "u\($0 % 17)", value: Array("\($0)".utf8)) })
        var values: [Int] = []
        var lastOffset: [Int32: Int64] = [:]
        let read = try await scanner.scan(ranges) { batch in
            for r in batch {
                #expect(r.offset > lastOffset[r.partition, default: -1])
                lastOffset[r.partition] = r.offset
                values.append(Int(String(decoding: r.value ?? [], as: UTF8.self))!)
            }
        }
        #expect(read == 300)
        #expect(values.sorted() == Array(0..<300))
        // An empty range reads nothing and returns at once.
        let empty = [PartitionRange(topicPartition: ranges[0].topicPartition, low: 5, high: 5)]
        #expect(try await scanner.scan(empty) { _ in Issue.record("no records expected") } == 0)
        await producer.close()
        await cluster.shutdown()
    }

    @Test("record(in:at:) returns the record at an offset, nil past the end")
    func recordAtOffset() async throws {
        let cluster = try KafkaMockCluster(brokers: 1, logger: OperationsTest.logger())
        let topic = OperationsTest.unique("at")
        try cluster.createTopic(topic, partitions: 1)
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: cluster.bootstrapServers), logger: OperationsTest.logger())
        _ = try await producer.sendBatch((0..<1000).map { KafkaProducerRecord(topic: topic, key: nil, value: Array("\($0)".utf8)) })
        let scanner = TopicScanner(KafkaAccess(bootstrapServers: cluster.bootstrapServers, logger: OperationsTest.logger()))
        let tp = KafkaTopicPartition(topic: topic, partition: 0)
        let clock = ContinuousClock()
        let started = clock.now
        for offset in [999, 0, 500, 250, 750, 1] as [Int64] {
            let record = try #require(try await scanner.record(in: tp, at: offset))
            #expect(record.offset == offset)
            #expect(record.value == Array("\(offset)".utf8))
            #expect(record.timestampMs != nil)
        }
        print("six lookups took \(clock.now - started)")
        #expect(try await scanner.record(in: tp, at: 1000) == nil)
        await producer.close()
        await cluster.shutdown()
    }
}

enum OperationsTest {
    static func logger() -> Logger {
        var logger = Logger(label: "operations-test")
        logger.logLevel = ProcessInfo.processInfo.environment["CARDGENIUS_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .error
        return logger
    }

    static func unique(_ prefix: String) -> String { "\(prefix)-\(UInt32.random(in: 0...UInt32.max))" }
}

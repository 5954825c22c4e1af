import Foundation
import Kafka
import Testing

@Suite("Kafka round trips against the mock cluster over TCP")
struct KafkaRoundTripTests {
    @Test("10k records keep their keys, values, headers and per-key order")
    func roundTrip() async throws {
        let cluster = try KafkaMockCluster(brokers: 3, logger: testLogger())
        let topic = uniqueName("rt")
        try cluster.createTopic(topic, partitions: 4)
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: cluster.bootstrapServers), logger: testLogger())
        let n = 10_000
        var reports: [KafkaDeliveryReport] = []
        for chunk in stride(from: 0, to: n, by: 2_500) {
            let batch = (chunk..<chunk + 2_500).map { i in
                KafkaProducerRecord(
                    topic: topic, key: "user-\(i % 100)", value: Array("{\"seq\":\(i)}".utf8),
                    headers: [KafkaHeader(name: "cohort", string: "2026-W48"), KafkaHeader(name: "empty", value: nil)])
            }
            reports += try await producer.sendBatch(batch).map { try $0.get() }
        }
        #expect(reports.count == n)
        #expect(Set(reports.map { "\($0.topicPartition)@\($0.offset)" }).count == n, "every record has its own offset")

        var config = KafkaConsumerConfiguration(bootstrapServers: cluster.bootstrapServers, groupID: uniqueName("g"))
        config.autoOffsetReset = .earliest
        let consumer = try KafkaConsumer(configuration: config, logger: testLogger())
        try await consumer.subscribe(topics: [topic])
        let records = try await collect(consumer, timeout: .seconds(60)) { $0.count >= n }
        #expect(records.count == n)
        #expect(records.allSatisfy { $0.headers.string("cohort") == "2026-W48" })
        #expect(records.allSatisfy { $0.headers.contains(KafkaHeader(name: "empty", value: nil)) })
        // Same key -> same partition, and offsets increase with the sequence number.
        var partitionOfKey: [String: Int32] = [:]
        var lastSeqOfKey: [String: Int] = [:]
        for r in records.sorted(by: { ($0.partition, $0.offset) < ($1.partition, $1.offset) }) {
            let key = try #require(r.keyString)
            if let p = partitionOfKey[key] { #expect(p == r.partition) } else { partitionOfKey[key] = r.partition }
            let json = try JSONSerialization.jsonObject(with: Data(r.value ?? [])) as? [String: Int]
            let seq = try #require(json?["seq"])
            #expect(seq > lastSeqOfKey[key, default: -1])
            lastSeqOfKey[key] = seq
        }
        #expect(partitionOfKey.count == 100)
        await consumer.close()
        await producer.close()
        await cluster.shutdown()
    }

    @Test("committed offsets and metadata survive a new consumer in the same group")
    func commitSurvivesRestart() async throws {
        let cluster = try KafkaMockCluster(brokers: 1, logger: testLogger())
        let topic = uniqueName("commit")
        try cluster.createTopic(topic, partitions: 2)
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: cluster.bootstrapServers), logger: testLogger())
        for i in 0..<100 {
            _ = try await producer.send(KafkaProducerRecord(topic: topic, partition: Int32(i % 2), key: nil, value: [UInt8(i)]))
        }
        let group = uniqueName("g")
        let config = KafkaConsumerConfiguration(bootstrapServers: cluster.bootstrapServers, groupID: group)
        let first = try KafkaConsumer(configuration: config, logger: testLogger())
        try await first.subscribe(topics: [topic])
        _ = try await collect(first) { $0.count >= 100 }
        let tp0 = KafkaTopicPartition(topic: topic, partition: 0)
        let tp1 = KafkaTopicPartition(topic: topic, partition: 1)
        try await first.commit([
            KafkaPartitionOffset(topicPartition: tp0, offset: 20, metadata: "v1:done=22,23"),
            KafkaPartitionOffset(topicPartition: tp1, offset: 40),
        ])
        let committed = try await first.committed([tp0, tp1])
        #expect(committed.map(\.offset) == [20, 40])
        #expect(committed[0].metadata == "v1:done=22,23")
        await first.close()

        let second = try KafkaConsumer(configuration: config, logger: testLogger())
        try await second.subscribe(topics: [topic])
        var assigned: [KafkaPartitionOffset] = []
        var records: [KafkaRecord] = []
        for await event in second.events {
            if case .assigned(let offsets) = event { assigned = offsets }
            if case .records(let batch) = event { records += batch }
            if records.count >= 40 { break }
        }
        #expect(assigned.sorted { $0.topicPartition < $1.topicPartition }.map(\.offset) == [20, 40])
        #expect(assigned.first { $0.topicPartition == tp0 }?.metadata == "v1:done=22,23")
        #expect(records.filter { $0.partition == 0 }.map(\.offset).min() == 20)
        #expect(records.filter { $0.partition == 1 }.map(\.offset).min() == 40)
        #expect(records.count == 40)
        await second.close()
        await producer.close()
        await cluster.shutdown()
    }

    @Test("pause stops a partition's records and resume brings them back")
    func pauseResume() async throws {
        let cluster = try KafkaMockCluster(brokers: 1, logger: testLogger())
        let topic = uniqueName("pause")
        try cluster.createTopic(topic, partitions: 2)
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: cluster.bootstrapServers), logger: testLogger())
        let consumer = try KafkaConsumer(
            configuration: .init(bootstrapServers: cluster.bootstrapServers, groupID: uniqueName("g")),
            logger: testLogger())
        try await consumer.subscribe(topics: [topic])
        let p0 = KafkaTopicPartition(topic: topic, partition: 0)
        var iterator = consumer.events.makeAsyncIterator()
        // Wait for the assignment, then pause partition 0 before anything is produced.
        while let event = await iterator.next() {
            if case .assigned = event { break }
        }
        try await consumer.pause([p0])
        for i in 0..<20 {
            _ = try await producer.send(KafkaProducerRecord(topic: topic, partition: Int32(i % 2), key: nil, value: [UInt8(i)]))
        }
        var seen: [KafkaRecord] = []
        while seen.count < 10, let event = await iterator.next() {
            if case .records(let batch) = event { seen += batch }
        }
        #expect(seen.count == 10)
        #expect(seen.allSatisfy { $0.partition == 1 })
        // Nothing from partition 0 arrives while paused.
        try await Task.sleep(for: .milliseconds(1500))
        try await consumer.resume([p0])
        var resumed: [KafkaRecord] = []
        while resumed.count < 10, let event = await iterator.next() {
            if case .records(let batch) = event { resumed += batch }
        }
        #expect(resumed.map(\.partition) == Array(repeating: 0, count: 10))
        #expect(resumed.map(\.offset) == Array(0..<10))
        await consumer.close()
        await producer.close()
        await cluster.shutdown()
    }

    @Test("a bad property stops the client with a message naming it")
    func badProperty() throws {
        var config = KafkaProducerConfiguration(bootstrapServers: "127.0.0.1:1")
        config.properties["no.such.property"] = "1"
        #expect {
            _ = try KafkaProducer(configuration: config, logger: testLogger())
        } throws: { error in
            (error as? KafkaError)?.code == .configuration && "\(error)".contains("no.such.property")
        }
        var secret = KafkaProducerConfiguration(bootstrapServers: "127.0.0.1:1")
        secret.properties["sasl.password"] = "hunter2"
        secret.properties["security.protocol"] = "bogus"
        #expect {
            _ = try KafkaProducer(configuration: secret, logger: testLogger())
        } throws: { error in
            !"\(error)".contains("hunter2")
        }
    }

    @Test("sending to a closed producer fails with .closed, not a crash")
    func closedProducer() async throws {
        let cluster = try KafkaMockCluster(brokers: 1, logger: testLogger())
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: cluster.bootstrapServers), logger: testLogger())
        await producer.close()
        await #expect(throws: KafkaError.self) {
            _ = try await producer.send(KafkaProducerRecord(topic: "t", key: "k", value: [1]))
        }
        await cluster.shutdown()
    }
}

import Foundation
import Synchronization
import Testing

@testable import Kafka

/// The consumer's event stream is bounded: a read loop that stops reading (a slow commit
/// during a rebalance) makes the poll thread wait, never buffer without limit, never drop.
@Suite("Consumer back-pressure", .serialized)
struct KafkaBackPressureTests {
    @Test("while the application does not read, the poll thread hands over a few batches and waits; nothing is dropped; close still ends it")
    func boundedEvents() async throws {
        let cluster = try KafkaMockCluster(brokers: 1, logger: testLogger())
        let topic = uniqueName("bp")
        try cluster.createTopic(topic, partitions: 1)
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: cluster.bootstrapServers), logger: testLogger())
        let total = 20_000
        let value = [UInt8](repeating: 0x61, count: 100)
        let batch = (0..<total).map { _ in KafkaProducerRecord(topic: topic, partition: 0, key: nil, value: value) }
        for r in try await producer.sendBatch(batch) { _ = try r.get() }
        await producer.close()

        // A reader that takes the first batch, then stops reading for a while (librdkafka
        // has all 2 MB fetched well within it: its pre-fetch holds 8 MB).
        func stalledReader() async throws -> (KafkaConsumer, KafkaConsumerEvents.AsyncIterator, [Int64]) {
            let consumer = try KafkaConsumer(
                configuration: .init(bootstrapServers: cluster.bootstrapServers, groupID: uniqueName("g")),
                logger: testLogger())
            try await consumer.subscribe(topics: [topic])
            var iterator = consumer.events.makeAsyncIterator()
            var offsets: [Int64] = []
            while offsets.isEmpty, let event = await iterator.next() {
                if case .records(let records) = event { offsets += records.map(\.offset) }
            }
            try await Task.sleep(for: .seconds(4))
            return (consumer, iterator, offsets)
        }

        var (consumer, iterator, offsets) = try await stalledReader()
        let handed = consumer.recordsHandedOver
        #expect(
            handed <= KafkaConsumer.recordBatchesAhead * 512 + offsets.count,
            "the poll thread handed over \(handed) records to a reader that took \(offsets.count)")
        #expect(consumer.recordBatchesWaiting <= KafkaConsumer.recordBatchesAhead)
        // Reading again delivers every record, in order: the poll thread waited, it dropped nothing.
        let deadline = ContinuousClock.now + .seconds(60)
        while offsets.count < total, ContinuousClock.now < deadline, let event = await iterator.next() {
            if case .records(let records) = event { offsets += records.map(\.offset) }
        }
        #expect(offsets == (0..<Int64(total)).map { $0 })
        await consumer.close()

        // Closing a consumer whose poll thread waits for a reader that never comes back ends it.
        let (stalled, _, _) = try await stalledReader()
        let closed = Atomic(false)
        let closing = Task {
            await stalled.close()
            closed.store(true, ordering: .sequentiallyConsistent)
        }
        let ended = await waitUntil(timeout: .seconds(30)) { closed.load(ordering: .sequentiallyConsistent) }
        #expect(ended, "close() hung while the poll thread waited")
        if ended { await closing.value }
        await cluster.shutdown()
    }
}

/// Polls `condition` every 100 ms until it holds or `timeout` passes.
private func waitUntil(timeout: Duration, _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        if ContinuousClock.now >= deadline { return false }
        try? await Task.sleep(for: .milliseconds(100))
    }
    return true
}

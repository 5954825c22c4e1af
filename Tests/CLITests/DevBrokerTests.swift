import Foundation
import Kafka
import Testing

/// Every test here starts real `cardgenius` processes; they run one at a time so that
/// consumer-group timings are not distorted by each other on a small machine.
@Suite("cardgenius processes", .serialized)
struct CLITests {}

extension CLITests {
    @Suite("dev-broker")
    struct DevBroker {
        @Test("dev-broker serves the project's topics and stops cleanly on SIGTERM")
        func servesTopicsAndStopsOnSIGTERM() async throws {
            let scratch = try ScratchDirectory()
            let bootstrapFile = scratch.file("bootstrap.txt")
            let broker = try ChildProcess([
                "dev-broker", "--brokers", "3", "--partitions", "4", "--topic", "extra:2",
                "--bootstrap-file", bootstrapFile, "--log-level", "warning",
            ])
            defer { broker.kill() }

            // The bootstrap list: one stdout line, the same in the file.
            let printed = await waitUntil(timeout: .seconds(30)) { !broker.stdoutLines.isEmpty || !broker.isRunning }
            try #require(printed && broker.isRunning, "dev-broker printed nothing\n\(broker.stderr)")
            let bootstrap = try #require(broker.stdoutLines.first)
            let servers = bootstrap.split(separator: ",")
            #expect(servers.count == 3, "expected 3 brokers in \(bootstrap)")
            for server in servers {
                #expect(server.hasPrefix("127.0.0.1:") || server.hasPrefix("localhost:"), "\(server)")
                #expect(Int(server.split(separator: ":").last ?? "").map { (1...65535).contains($0) } == true, "\(server)")
            }
            #expect(scratch.read("bootstrap.txt") == bootstrap + "\n")

            // Topic layout, from the cluster's metadata.
            let consumer = try KafkaConsumer(
                configuration: .init(bootstrapServers: bootstrap, groupID: CLI.unique("dev-broker")),
                logger: CLI.logger())
            for topic in ["user-spends", "card-recommendations", "user-spends.dlq"] {
                #expect(try await consumer.partitionCount(topic: topic) == 4, "\(topic)")
            }
            #expect(try await consumer.partitionCount(topic: "extra") == 2)

            // A record round-trips through the broker process.
            let marker = CLI.unique("round-trip")
            let producer = try KafkaProducer(configuration: .init(bootstrapServers: bootstrap), logger: CLI.logger())
            let report = try await producer.send(
                KafkaProducerRecord(
                    topic: "extra", key: "k-\(marker)", value: Array(marker.utf8),
                    headers: [KafkaHeader(name: "h", string: "v")]))
            await producer.close()
            #expect(report.topicPartition.topic == "extra")

            try await consumer.subscribe(topics: ["extra"])
            let box = RecordBox()
            let reader = Task {
                for await event in consumer.events {
                    if case .records(let batch) = event { box.append(batch) }
                    if case .revoked(let r) = event { r.acknowledge() }
                }
            }
            await waitUntil(timeout: .seconds(30)) { box.count >= 1 }
            await consumer.close()
            _ = await reader.value
            let records = box.records
            #expect(records.count == 1)
            let record = try #require(records.first)
            #expect(record.value.map { String(decoding: $0, as: UTF8.self) } == marker)
            #expect(record.keyString == "k-\(marker)")
            #expect(record.headers.string("h") == "v")
            #expect(record.topicPartition == report.topicPartition && record.offset == report.offset)

            // SIGTERM: exits 0 within a few seconds.
            broker.signal(SIGTERM)
            let status = await broker.waitForExit(timeout: .seconds(10))
            #expect(status == .exited(0), "dev-broker after SIGTERM: \(status.map { "\($0)" } ?? "still running")\n\(broker.stderr)")
        }

        @Test(
            "dev-broker rejects bad flags with one line naming the flag",
            arguments: [
                (["--brokers", "0"], "--brokers"),
                (["--brokers", "17"], "--brokers"),
                (["--topic", "bad name!"], "--topic"),
                (["--topic", "x:0"], "--topic"),
                (["--topic", "x:many"], "--topic"),
                (["--partitions", "0"], "--partitions"),
            ])
        func rejectsBadFlags(flags: [String], named flag: String) async throws {
            let result = try await CLI.run(["dev-broker"] + flags, timeout: .seconds(30))
            #expect(result.status != .exited(0), "\(result)")
            if case .signalled = result.status { Issue.record("crashed: \(result)") }
            #expect(result.stdout.isEmpty, "nothing on stdout (no bootstrap list): \(result)")
            // The first stderr line is the whole message and names the flag; usage help may follow.
            let message = try #require(result.stderrLines.first, "\(result)")
            #expect(message.hasPrefix("Error: "), "\(result)")
            #expect(message.contains(flag), "\(message)")
            #expect(result.stderrLines.filter { $0.contains(flag) && $0.hasPrefix("Error") }.count == 1, "\(result)")
        }
    }
}

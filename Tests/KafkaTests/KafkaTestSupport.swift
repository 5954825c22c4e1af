import Foundation
import Kafka
import Logging

/// A quiet logger for tests (set CARDGENIUS_TEST_LOG=debug to see librdkafka).
func testLogger(_ label: String = "test") -> Logger {
    var logger = Logger(label: label)
    let level = ProcessInfo.processInfo.environment["CARDGENIUS_TEST_LOG"].flatMap(Logger.Level.init(rawValue:))
    logger.logLevel = level ?? .error
    return logger
}

/// A unique name per test run, so tests never share groups or topics.
func uniqueName(_ prefix: String) -> String {
    "\(prefix)-\(UInt32.random(in: 0...UInt32.max))"
}

/// Reads events until `done` says stop or `timeout` passes. Acknowledges revocations.
func collect(
    _ consumer: KafkaConsumer, timeout: Duration = .seconds(30),
    until done: @escaping @Sendable ([KafkaRecord]) -> Bool
) async throws -> [KafkaRecord] {
    try await withThrowingTaskGroup(of: [KafkaRecord]?.self) { group in
        group.addTask {
            var records: [KafkaRecord] = []
            for await event in consumer.events {
                switch event {
                case .records(let batch): records += batch
                case .revoked(let revocation): revocation.acknowledge()
                default: break
                }
                if done(records) { return records }
            }
            return records
        }
        group.addTask {
            try await Task.sleep(for: timeout)
            return nil
        }
        let first = try await group.next()!
        group.cancelAll()
        guard let records = first else { throw TestTimeout(what: "records") }
        return records
    }
}

struct TestTimeout: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}

import Foundation
import Logging

/// Loggers and names for tests that run Kafka clients and processes.
package enum TestLogging {
    /// A quiet logger for in-process Kafka clients (`CARDGENIUS_TEST_LOG=debug` to see librdkafka).
    package static func logger(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = ProcessInfo.processInfo.environment["CARDGENIUS_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .error
        return logger
    }

    /// `prefix-<random>`: a topic or group name no other test uses.
    package static func unique(_ prefix: String) -> String { "\(prefix)-\(UInt32.random(in: 0...UInt32.max))" }
}

import Foundation
import Kafka
import Logging
import ServiceLifecycle

/// Runs the mock cluster as a `Service` until graceful shutdown.
package struct DevBrokerService: Service {
    var brokers: Int
    var topics: [(String, Int32)]
    var bootstrapFile: String?
    var logger: Logger

    /// `topics`: name and partitions of each topic to create.
    package init(brokers: Int, topics: [(String, Int32)], bootstrapFile: String?, logger: Logger) {
        self.brokers = brokers
        self.topics = topics
        self.bootstrapFile = bootstrapFile
        self.logger = logger
    }

    package func run() async throws {
        let cluster = try KafkaMockCluster(brokers: brokers, logger: logger)
        for (name, partitions) in topics {
            try cluster.createTopic(name, partitions: partitions, replicationFactor: Int32(min(brokers, 3)))
        }
        if let bootstrapFile {
            try (cluster.bootstrapServers + "\n").write(toFile: bootstrapFile, atomically: true, encoding: .utf8)
        }
        FileHandle.standardOutput.write(Data((cluster.bootstrapServers + "\n").utf8))
        logger.info(
            "dev broker serving",
            metadata: [
                "bootstrap": "\(cluster.bootstrapServers)", "topics": "\(topics.map { "\($0.0):\($0.1)" })",
            ])
        try? await gracefulShutdown()
        await cluster.shutdown()
        logger.info("dev broker stopped")
    }
}

import Kafka
import Logging
import Settings

/// Where the operations reach Kafka — bootstrap servers and raw librdkafka properties
/// (security settings and the like) — and the logger for the clients they create.
package struct KafkaAccess: Sendable {
    package var bootstrapServers: String
    package var properties: [String: String]
    /// The pipeline's group protocol (`kafka.group_protocol`): a member that joins the
    /// pipeline's group to look for others (``SoleGroupMember``) must speak it.
    package var groupProtocol: KafkaConsumerConfiguration.GroupProtocol = .classic
    package var logger: Logger

    package init(bootstrapServers: String, properties: [String: String] = [:], logger: Logger) {
        self.bootstrapServers = bootstrapServers
        self.properties = properties
        self.logger = logger
    }

    /// The access the service settings describe (`kafka.bootstrap_servers`, `kafka.properties`).
    package init(_ settings: ServiceSettings, logger: Logger) {
        self.init(bootstrapServers: settings.kafka.bootstrapServers, properties: settings.kafka.properties, logger: logger)
        self.groupProtocol = settings.kafka.groupProtocol == "consumer" ? .consumer : .classic
    }

    /// A consumer with group id `groupID` (used for commits and offset reads only, unless
    /// the caller subscribes), configured by `configure`, with the raw properties applied last.
    func consumer(groupID: String, _ configure: (inout KafkaConsumerConfiguration) -> Void = { _ in }) throws -> KafkaConsumer {
        var configuration = KafkaConsumerConfiguration(bootstrapServers: bootstrapServers, groupID: groupID)
        configure(&configuration)
        configuration.properties = properties
        return try KafkaConsumer(configuration: configuration, logger: logger)
    }

    /// A producer (idempotent, `acks=all` by default) with the raw properties applied.
    func producer(clientID: String) throws -> KafkaProducer {
        var configuration = KafkaProducerConfiguration(bootstrapServers: bootstrapServers)
        configuration.clientID = clientID
        configuration.properties = properties
        return try KafkaProducer(configuration: configuration, logger: logger)
    }
}

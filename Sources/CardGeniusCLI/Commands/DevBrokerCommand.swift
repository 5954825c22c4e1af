import ArgumentParser
import CardGeniusApp
import ServiceLifecycle

/// `cardgenius dev-broker`: librdkafka's mock cluster on 127.0.0.1 with the project's topics.
struct DevBrokerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev-broker",
        abstract: "Run an embedded Kafka-protocol broker (librdkafka's mock cluster) on 127.0.0.1 until SIGTERM/SIGINT.",
        discussion: """
            Prints the bootstrap list on stdout (and to --bootstrap-file). Creates the topics \
            user-spends, card-recommendations and user-spends.dlq (plus any --topic). It is a test \
            broker: each partition keeps only its newest ~5 MB, offsets-for-times and most Admin APIs do \
            not work, and ports are random. See README "The dev broker".
            """
    )

    @Option(name: .long, help: "Number of brokers (1-16).")
    var brokers: Int = 3

    @Option(name: .long, help: "Partitions of each default topic.")
    var partitions: Int32 = 8

    @Option(
        name: .long, parsing: .singleValue,
        help: ArgumentHelp("Another topic to create, as NAME or NAME:PARTITIONS (repeatable).", valueName: "NAME[:PARTITIONS]"))
    var topic: [String] = []

    @Option(name: .long, help: ArgumentHelp("Also write the bootstrap list to this file.", valueName: "PATH"))
    var bootstrapFile: String?

    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard (1...16).contains(brokers) else { throw ValidationError("--brokers must be 1...16, got \(brokers)") }
        guard (1...1000).contains(partitions) else { throw ValidationError("--partitions must be 1...1000, got \(partitions)") }
        _ = try Self.parseTopics(topic, defaultPartitions: partitions)
    }

    static let defaultTopics = ["user-spends", "card-recommendations", "user-spends.dlq"]

    static func parseTopics(_ specs: [String], defaultPartitions: Int32) throws -> [(String, Int32)] {
        try specs.map { spec in
            let parts = spec.split(separator: ":", omittingEmptySubsequences: false)
            guard (1...2).contains(parts.count), !parts[0].isEmpty else {
                throw ValidationError("--topic \"\(spec)\": expected NAME or NAME:PARTITIONS")
            }
            let name = String(parts[0])
            guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }), name.count <= 249 else {
                throw ValidationError("--topic \"\(spec)\": a topic name uses only letters, digits, '.', '_' and '-' (at most 249)")
            }
            guard parts.count == 2 else { return (name, defaultPartitions) }
            guard let n = Int32(parts[1]), (1...1000).contains(n) else {
                throw ValidationError("--topic \"\(spec)\": PARTITIONS must be a number 1...1000")
            }
            return (name, n)
        }
    }

    func run() async throws {
        let logger = logging.makeLogger("cardgenius.dev-broker")
        let topics = Self.defaultTopics.map { ($0, partitions) } + (try Self.parseTopics(topic, defaultPartitions: partitions))
        let service = DevBrokerService(brokers: brokers, topics: topics, bootstrapFile: bootstrapFile, logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: service)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

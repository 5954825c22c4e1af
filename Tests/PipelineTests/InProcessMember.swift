import CardGenius

@testable import Kafka
@testable import Pipeline

/// A member in this process (so a test can reach its librdkafka handles, breaker and
/// state) with its clients, not started: the mock cluster over TCP, the simulator over HTTP.
struct InProcessMember {
    let consumer: KafkaConsumer
    let producer: KafkaProducer
    let client: CardGeniusClient
    let pipeline: RecommendationPipeline
    let group: String

    init(
        _ cluster: KafkaMockCluster, api: String, topics: TestTopics, group: String = Harness.unique("g"),
        consumer tuneConsumer: (inout KafkaConsumerConfiguration) -> Void = { _ in },
        tune: (inout PipelineConfiguration) -> Void = { _ in }
    ) throws {
        self.group = group
        var consumerConfig = KafkaConsumerConfiguration(bootstrapServers: cluster.bootstrapServers, groupID: group)
        consumerConfig.sessionTimeout = .seconds(6)
        tuneConsumer(&consumerConfig)
        consumer = try KafkaConsumer(configuration: consumerConfig, logger: Harness.logger())
        producer = try KafkaProducer(configuration: .init(bootstrapServers: cluster.bootstrapServers), logger: Harness.logger())
        client = CardGeniusClient(configuration: .init(url: api, maxConnections: 8), logger: Harness.logger())
        var config = PipelineConfiguration()
        config.inputTopic = topics.input
        config.outputTopic = topics.output
        config.deadLetterTopic = topics.dlq
        config.maxWorkers = 8
        config.requestsPerSecond = 200
        config.burst = 20
        config.commitInterval = .milliseconds(200)
        config.drainTimeout = .seconds(5)
        tune(&config)
        pipeline = RecommendationPipeline(
            configuration: config, consumer: consumer, producer: producer, client: client,
            logger: Harness.logger())
    }

    /// Stops the member started as `run`, then closes its clients.
    func stop(_ run: Task<Void, any Error>) async {
        pipeline.requestStop(reason: "test over")
        _ = await run.result
        await close()
    }

    /// Closes the clients (after the member's run ended).
    func close() async {
        await producer.close(timeout: .seconds(2))
        try? await client.shutdown()
    }
}

import CardGenius
import Kafka
import Logging
import Pipeline
import Settings

#if canImport(Glibc)
import Glibc
#endif

/// Builds one consumer-group member (consumer, producer, CardGenius client, pipeline)
/// from the service settings, and tears it down in the right order.
struct MemberAssembly {
    let consumer: KafkaConsumer
    let producer: KafkaProducer
    let client: CardGeniusClient
    let pipeline: RecommendationPipeline

    /// `onMockCluster`: whether the brokers are librdkafka's mock cluster (or could not be
    /// told apart from it; see ``isMockCluster(settings:logger:)``).
    init(
        settings: ServiceSettings, exitWhenIdle: Duration?, onMockCluster: Bool = true,
        tuning: (inout PipelineConfiguration) -> Void = { _ in }, logger: Logger
    ) throws {
        #if canImport(Glibc)
        // glibc gives each thread that meets a locked arena an arena of its own (up to 8 per
        // core), and a member's ~35 KB answers and outputs move between the NIO, pool and
        // librdkafka threads, so freed memory sits in many arenas. Four arenas hold the
        // 100,000-record drain's peak RSS under 120 MB; two hold it lower still, but their
        // lock contention cost ~8 % of the member's CPU (BENCHMARKS.md, section 0).
        // Swift's Glibc module does not import <malloc.h>: mallopt is looked up by name.
        // An operator's own MALLOC_ARENA_MAX wins.
        if getenv("MALLOC_ARENA_MAX") == nil, let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") {
            typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
            let arenaMax: Int32 = -8  // M_ARENA_MAX
            _ = unsafeBitCast(symbol, to: Mallopt.self)(arenaMax, 4)
        }
        #endif
        var consumerConfig = KafkaConsumerConfiguration(
            bootstrapServers: settings.kafka.bootstrapServers,
            groupID: settings.kafka.groupID)
        consumerConfig.clientID = "cardgenius-member"
        if settings.kafka.groupProtocol == "consumer" {
            guard KafkaLibrary.supportsConsumerGroupProtocol else {
                throw KafkaError(
                    code: .configuration,
                    message:
                        "kafka.group_protocol \"consumer\" needs librdkafka >= \(KafkaLibrary.describe(version: KafkaLibrary.consumerGroupProtocolVersion)) (KIP-848); this process loaded librdkafka \(KafkaLibrary.versionString) (README, \"librdkafka versions\")"
                )
            }
            // The broker owns session and heartbeat timing and the assignor from here.
            consumerConfig.groupProtocol = .consumer
        }
        if !settings.kafka.groupInstanceID.isEmpty { consumerConfig.groupInstanceID = settings.kafka.groupInstanceID }
        consumerConfig.properties = settings.kafka.properties
        consumerConfig.emitEndOfPartition = exitWhenIdle != nil
        consumerConfig.revocationTimeout = settings.processing.drainTimeout + .seconds(10)
        var producerConfig = KafkaProducerConfiguration(bootstrapServers: settings.kafka.bootstrapServers)
        producerConfig.clientID = "cardgenius-member"
        // On the mock cluster only: one produce request in flight per broker. librdkafka's
        // idempotent producer takes a later batch's acknowledgement as proof that the
        // earlier, failed ones were written ("implicit ack", every 2.x version; 2.3.0
        // reworked "possibly persisted" batches but still counts them delivered once a later
        // one is): sound on Kafka, which enforces the sequence order, but the mock cluster
        // (2.0.2 and 2.16 alike) checks sequences only for transactional producers, so a
        // batch refused with a retriable error was reported delivered and never written — a
        // result lost with its offset committed. With one request at a time there is no later
        // batch to vouch for an earlier one. Real clusters keep librdkafka's 5 (throughput);
        // `kafka.properties` may set it either way.
        if onMockCluster { producerConfig.maxInFlightRequests = 1 }
        producerConfig.compression = settings.kafka.outputCompression
        producerConfig.properties = settings.kafka.properties
        let clientConfig = CardGeniusClient.Configuration(
            url: settings.api.url, userAgent: settings.api.userAgent,
            connectTimeout: settings.api.connectTimeout, requestTimeout: settings.api.requestTimeout,
            // Sized for the largest budget a live retune can set, not the start-up one: the
            // pool only caps connections (they open as calls need them), and a pool smaller
            // than a raised budget would queue the extra calls inside the client, where the
            // concurrency limiter cannot see them.
            maxConnections: ServiceSettings.Processing.maxWorkersLimit)
        var pipelineConfig = PipelineConfiguration(settings: settings)
        pipelineConfig.exitWhenIdle = exitWhenIdle
        tuning(&pipelineConfig)

        consumer = try KafkaConsumer(configuration: consumerConfig, logger: logger)
        if let instance = consumer.groupInstanceID {
            // What librdkafka itself runs with, read back from the client.
            logger.notice(
                "static membership: group.instance.id \"\(instance)\" in group \(settings.kafka.groupID) (a restart within session.timeout.ms keeps the partitions; no two running members may share it)"
            )
        }
        producer = try KafkaProducer(configuration: producerConfig, logger: logger)
        logger.info("output compression: \(producer.compressionCodec ?? "none")")
        logger.notice(
            "librdkafka \(KafkaLibrary.versionString), group protocol \(consumerConfig.groupProtocol.rawValue), output produce requests in flight per broker: \(producer.maxInFlightRequests ?? "?")\(onMockCluster ? " (mock cluster)" : "")"
        )
        client = CardGeniusClient(configuration: clientConfig, logger: logger)
        pipeline = RecommendationPipeline(
            configuration: pipelineConfig, consumer: consumer, producer: producer,
            client: client, logger: logger)
    }

    /// Whether `settings`' brokers are librdkafka's mock cluster (the dev broker, which names
    /// itself `mockCluster…`), asked of the cluster's metadata. A cluster that does not
    /// answer within a few seconds counts as one: its producer then keeps the setting that is
    /// safe on both.
    static func isMockCluster(settings: ServiceSettings, logger: Logger) async -> Bool {
        guard
            let admin = try? KafkaAdminClient(
                bootstrapServers: settings.kafka.bootstrapServers,
                properties: settings.kafka.properties, logger: logger)
        else { return true }
        let id = try? await admin.clusterID(timeout: .seconds(5))
        await admin.close()
        guard let id else {
            logger.warning(
                "the cluster id did not arrive within 5 s: the output producer keeps one request in flight per broker (safe on the dev broker and on Kafka)")
            return true
        }
        return KafkaAdminClient.isMockCluster(clusterID: id)
    }

    /// Flushes the producer and closes the HTTP client (after the pipeline has stopped).
    /// The flush is bounded by what the stop keeps of its margin: the pipeline has already
    /// purged what it will not wait for, so only results sent to a slow broker are left.
    func close() async {
        await producer.close(timeout: RecommendationPipeline.producerCloseTimeout)
        try? await client.shutdown()
    }
}

import CardGenius
#if canImport(Glibc)
import Glibc
#endif
import Kafka
import Logging
import Pipeline
import Settings

/// Builds one consumer-group member (consumer, producer, CardGenius client, pipeline)
/// from the service settings, and tears it down in the right order.
struct MemberAssembly {
    let consumer: KafkaConsumer
    let producer: KafkaProducer
    let client: CardGeniusClient
    let pipeline: RecommendationPipeline

    init(settings: ServiceSettings, exitWhenIdle: Duration?, tuning: (inout PipelineConfiguration) -> Void = { _ in },
         logger: Logger) throws {
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
        var consumerConfig = KafkaConsumerConfiguration(bootstrapServers: settings.kafka.bootstrapServers,
                                                        groupID: settings.kafka.groupID)
        consumerConfig.clientID = "cardgenius-member"
        if !settings.kafka.groupInstanceID.isEmpty { consumerConfig.groupInstanceID = settings.kafka.groupInstanceID }
        consumerConfig.properties = settings.kafka.properties
        consumerConfig.emitEndOfPartition = exitWhenIdle != nil
        consumerConfig.revocationTimeout = settings.processing.drainTimeout + .seconds(10)
        var producerConfig = KafkaProducerConfiguration(bootstrapServers: settings.kafka.bootstrapServers)
        producerConfig.clientID = "cardgenius-member"
        // One produce request in flight per broker. librdkafka 2.0.2's idempotent producer
        // takes a later batch's acknowledgement as proof that the earlier, failed ones were
        // written ("implicit ack"): true on Kafka, which enforces the sequence order, but on
        // the mock cluster (no sequence checks outside transactions) a batch refused with a
        // retriable error was then reported delivered and never written — a result lost with
        // its offset committed. With one request at a time there is no later batch to
        // vouch for an earlier one. `kafka.properties` may raise it for real clusters.
        producerConfig.maxInFlightRequests = 1
        producerConfig.compression = settings.kafka.outputCompression
        producerConfig.properties = settings.kafka.properties
        let clientConfig = CardGeniusClient.Configuration(
            url: settings.api.url, userAgent: settings.api.userAgent,
            connectTimeout: settings.api.connectTimeout, requestTimeout: settings.api.requestTimeout,
            maxConnections: max(settings.processing.maxWorkers, 1))
        var pipelineConfig = PipelineConfiguration(settings: settings)
        pipelineConfig.exitWhenIdle = exitWhenIdle
        tuning(&pipelineConfig)

        consumer = try KafkaConsumer(configuration: consumerConfig, logger: logger)
        if let instance = consumer.groupInstanceID {
            // What librdkafka itself runs with, read back from the client.
            logger.notice("static membership: group.instance.id \"\(instance)\" in group \(settings.kafka.groupID) (a restart within session.timeout.ms keeps the partitions; no two running members may share it)")
        }
        producer = try KafkaProducer(configuration: producerConfig, logger: logger)
        logger.info("output compression: \(producer.compressionCodec ?? "none")")
        client = CardGeniusClient(configuration: clientConfig, logger: logger)
        pipeline = RecommendationPipeline(configuration: pipelineConfig, consumer: consumer, producer: producer,
                                          client: client, logger: logger)
    }

    /// Flushes the producer and closes the HTTP client (after the pipeline has stopped).
    /// The flush is bounded by what the stop keeps of its margin: the pipeline has already
    /// purged what it will not wait for, so only results sent to a slow broker are left.
    func close() async {
        await producer.close(timeout: RecommendationPipeline.producerCloseTimeout)
        try? await client.shutdown()
    }
}

/// Configuration of a ``KafkaProducer``.
///
/// The typed fields cover what this service tunes; ``properties`` is the escape hatch for
/// any other librdkafka property (`security.protocol`, `sasl.*`, `ssl.*`, ...), applied last.
public struct KafkaProducerConfiguration: Sendable, Equatable {
    /// Comma-separated `host:port` list of bootstrap brokers.
    public var bootstrapServers: String
    /// The `client.id` shown in broker logs and metrics.
    public var clientID: String = "cardgenius"
    /// Idempotent delivery: no duplicates from internal retries and per-partition order kept
    /// (implies `acks=all`).
    public var enableIdempotence: Bool = true
    /// How long to wait for more records to batch together.
    public var linger: Duration = .milliseconds(5)
    /// How long librdkafka keeps retrying a record before its delivery fails.
    public var messageTimeout: Duration = .seconds(120)
    /// The most records librdkafka may hold locally before ``KafkaProducer/send(_:)`` waits.
    public var maxQueuedMessages: Int = 100_000
    /// Produce requests in flight per broker connection (librdkafka's
    /// `max.in.flight.requests.per.connection`; 1...5 with idempotence).
    public var maxInFlightRequests: Int = 5
    /// Compression codec: `none`, `gzip`, `snappy`, `lz4` or `zstd`.
    public var compression: String = "lz4"
    /// librdkafka debug contexts (for example `broker,topic,msg`), or `nil`.
    public var debug: String? = nil
    /// Raw librdkafka properties, applied after the typed ones.
    public var properties: [String: String] = [:]

    public init(bootstrapServers: String) {
        self.bootstrapServers = bootstrapServers
    }

    /// The property dictionary handed to librdkafka; built only at the C boundary.
    func rdKafkaProperties() -> [String: String] {
        var p: [String: String] = [
            "bootstrap.servers": bootstrapServers,
            "client.id": clientID,
            "enable.idempotence": enableIdempotence ? "true" : "false",
            "linger.ms": String(linger.milliseconds),
            "message.timeout.ms": String(messageTimeout.milliseconds),
            "queue.buffering.max.messages": String(maxQueuedMessages),
            "max.in.flight.requests.per.connection": String(maxInFlightRequests),
            "compression.codec": compression,
        ]
        if enableIdempotence { p["acks"] = "all" }
        if let debug { p["debug"] = debug }
        p.merge(properties) { _, raw in raw }
        return p
    }
}

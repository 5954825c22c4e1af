extension KafkaProducer {
    /// The `compression.codec` librdkafka runs this producer with (read back from the
    /// client's own configuration, after `kafka.properties`).
    public var compressionCodec: String? {
        client.configurationValue("compression.codec")
    }
}

extension KafkaProducer {
    /// The `max.in.flight.requests.per.connection` librdkafka runs this producer with.
    public var maxInFlightRequests: String? {
        client.configurationValue("max.in.flight.requests.per.connection")
    }
}

extension KafkaProducer {
    /// The `compression.codec` librdkafka runs this producer with (read back from the
    /// client's own configuration, after `kafka.properties`).
    public var compressionCodec: String? {
        client.configurationValue("compression.codec")
    }
}

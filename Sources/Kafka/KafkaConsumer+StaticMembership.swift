extension KafkaConsumer {
    /// The `group.instance.id` librdkafka runs this member with (read back from the client's
    /// own configuration), or `nil` for a dynamic member.
    public var groupInstanceID: String? {
        client.configurationValue("group.instance.id")
    }
}

internal import CRDKafka

extension RDKafkaClient {
    /// A property of librdkafka's effective configuration of this client, or `nil` when it
    /// is unset or empty.
    func configurationValue(_ name: String) -> String? {
        guard let conf = rd_kafka_conf(handle) else { return nil }
        var size = 0
        guard rd_kafka_conf_get(conf, name, nil, &size) == RD_KAFKA_CONF_OK, size > 1 else { return nil }
        var buffer = [CChar](repeating: 0, count: size)
        guard rd_kafka_conf_get(conf, name, &buffer, &size) == RD_KAFKA_CONF_OK else { return nil }
        let value = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return value.isEmpty ? nil : value
    }
}

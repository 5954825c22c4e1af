internal import CRDKafka

/// Builds an `rd_kafka_conf_t` from a property dictionary: the only place where the
/// string dictionary librdkafka wants exists.
enum RDKafkaConfig {
    /// Creates a configuration object. The caller owns it until `rd_kafka_new` takes it.
    static func make(_ properties: [String: String], events: Int32) throws -> OpaquePointer {
        guard let conf = rd_kafka_conf_new() else {
            throw KafkaError(code: .configuration, message: "rd_kafka_conf_new failed")
        }
        var all = properties
        // Logs go to a queue that our poll thread drains, never to librdkafka's threads.
        all["log.queue"] = "true"
        for (key, value) in all.sorted(by: { $0.key < $1.key }) {
            try set(conf, key, value)
        }
        rd_kafka_conf_set_events(conf, events)
        return conf
    }

    private static func set(_ conf: OpaquePointer, _ key: String, _ value: String) throws {
        var errstr = [CChar](repeating: 0, count: 512)
        let result = rd_kafka_conf_set(conf, key, value, &errstr, errstr.count)
        guard result == RD_KAFKA_CONF_OK else {
            rd_kafka_conf_destroy(conf)
            let why = String(decoding: errstr.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let shown = isSecret(key) ? "***" : value
            throw KafkaError(code: .configuration, message: "kafka property \"\(key)\"=\"\(shown)\": \(why)")
        }
    }

    /// Whether a property's value must never be printed.
    static func isSecret(_ key: String) -> Bool {
        let k = key.lowercased()
        return k.contains("password") || k.contains("secret") || k.contains("sasl.jaas")
            || k.contains("token") || k.hasPrefix("ssl.key")
    }
}

import Foundation

/// The raw librdkafka properties (`kafka.properties`) that would silently break the
/// service's at-least-once contract: committed offsets are checkpoints written only by the
/// member, every result is acknowledged by all in-sync replicas, retries never duplicate or
/// reorder a result, and members read only committed records. Everything else (security,
/// time-outs, `client.rack`, ...) passes through.
enum KafkaPropertyRules {
    /// Why setting `name` to `value` is refused, or nil when it is allowed.
    static func violation(name: String, value: String) -> String? {
        let v = value.trimmingCharacters(in: .whitespaces).lowercased()
        let key = "\"kafka.properties.\(name)\""
        switch name {
        case "enable.auto.commit" where v != "false":
            return "\(key) = \(value) would commit offsets before results are in Kafka; the member commits them itself (remove it)"
        case "enable.auto.offset.store" where v != "false":
            return "\(key) = \(value) would store offsets before results are in Kafka; the member commits them itself (remove it)"
        case "acks" where !["all", "-1"].contains(v), "request.required.acks" where !["all", "-1"].contains(v):
            return "\(key) = \(value) would acknowledge results not yet on every in-sync replica; only all/-1 is allowed (remove it)"
        case "enable.idempotence" where v != "true":
            return "\(key) = \(value) would let producer retries duplicate or reorder results; the output producer must be idempotent (remove it)"
        case "isolation.level" where v != "read_committed":
            return "\(key) = \(value) would let members process records of aborted transactions; only read_committed is allowed (remove it)"
        case "group.protocol":
            // Set through kafka.group_protocol, which also leaves out the member's own session,
            // heartbeat and assignor (librdkafka refuses them with the consumer protocol).
            return "\(key) is set with kafka.group_protocol (CARDGENIUS_KAFKA_GROUP_PROTOCOL), which also leaves out what the broker owns under the consumer protocol (remove it)"
        default:
            return nil
        }
    }
}

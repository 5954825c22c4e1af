import Foundation

/// The raw librdkafka properties (`kafka.properties`) that would silently break the
/// service's at-least-once contract: committed offsets are checkpoints written only by the
/// member, every result is acknowledged by all in-sync replicas, retries never duplicate or
/// reorder a result, members read only committed records, one user's records stay in one
/// partition (in order), a record published before the group's first start is never skipped,
/// and a shutdown never waits without limit for a delivery. Everything else (security,
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
            return
                "\(key) is set with kafka.group_protocol (CARDGENIUS_KAFKA_GROUP_PROTOCOL), which also leaves out what the broker owns under the consumer protocol (remove it)"
        case "partitioner" where v == "random":
            return
                "\(key) = \(value) would scatter one user's records over partitions (out of order, on several members); use a key-hashing partitioner or remove it"
        case "transactional.id":
            return
                "\(key) would make the producers transactional, which the service does not use (a second process with the same id fences the first); remove it"
        case "message.timeout.ms" where Int(v) == 0, "delivery.timeout.ms" where Int(v) == 0:
            return "\(key) = \(value) means no delivery time-out: a shutdown could wait for ever on an unreachable broker; use a positive value or remove it"
        // Every consumer of the service (the pipeline, `tail`, `export`, `redrive`,
        // `report`) starts a partition without a committed offset at its beginning, and
        // raw properties are applied after the typed ones, so this only ever takes effect
        // as a silent skip (the pipeline's group: records published before its first start).
        case "auto.offset.reset" where !["earliest", "smallest", "beginning"].contains(v):
            return
                "\(key) = \(value) would skip, silently, records published before the group's first start; only earliest is allowed (to skip a backlog on purpose: cardgenius replay --to latest)"
        default:
            return nil
        }
    }
}

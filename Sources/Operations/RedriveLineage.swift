import Foundation
import Kafka
import Pipeline

/// The record a redrive publishes for a dead letter: the original key, value and headers
/// (such as `cohort`), without the dead-letter headers (`error.*`, `source.*`,
/// `failed_at`), with `redrive.from: <dlq-topic>/<partition>/<offset>` and `redrive.at`
/// (UTC ISO-8601) replacing any earlier `redrive.*` headers.
public enum RedriveLineage {
    /// The record to publish to `topic` for dead letter `deadLetter`.
    public static func republished(_ deadLetter: KafkaRecord, to topic: String, at now: Date = Date()) -> KafkaProducerRecord {
        var headers = deadLetter.headers.filter {
            !RecordHeader.isDeadLetterHeader($0.name) && $0.name != RecordHeader.redriveFrom && $0.name != RecordHeader.redriveAt
        }
        headers.append(KafkaHeader(name: RecordHeader.redriveFrom, string: origin(of: deadLetter)))
        headers.append(KafkaHeader(name: RecordHeader.redriveAt, string: timestamp(now)))
        return KafkaProducerRecord(topic: topic, key: deadLetter.key, value: deadLetter.value, headers: headers)
    }

    /// `<topic>/<partition>/<offset>` of a record.
    public static func origin(of record: KafkaRecord) -> String {
        "\(record.topic)/\(record.partition)/\(record.offset)"
    }

    /// `2026-11-29T06:30:00.123Z`.
    public static func timestamp(_ date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = time_t(millis / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                      parts.tm_hour, parts.tm_min, parts.tm_sec, Int(millis % 1000))
    }
}

import Foundation
import Kafka
import Pipeline

/// The record a redrive publishes for a dead letter: the original key, value and headers
/// (such as `cohort`), without the dead-letter headers (`error.*`, `source.*`,
/// `failed_at`), with `redrive.from: <dlq-topic>/<partition>/<offset>` and `redrive.at`
/// (UTC ISO-8601) replacing any earlier `redrive.*` headers.
package enum RedriveLineage {
    /// The record to publish to `topic` for dead letter `deadLetter`.
    package static func republished(_ deadLetter: KafkaRecord, to topic: String, at now: Date = Date()) -> KafkaProducerRecord {
        var headers = deadLetter.headers.filter {
            !RecordHeader.isDeadLetterHeader($0.name) && $0.name != RecordHeader.redriveFrom && $0.name != RecordHeader.redriveAt
        }
        headers.append(KafkaHeader(name: RecordHeader.redriveFrom, string: origin(of: deadLetter)))
        headers.append(KafkaHeader(name: RecordHeader.redriveAt, string: OutputRecord.timestamp(now)))
        return KafkaProducerRecord(topic: topic, key: deadLetter.key, value: deadLetter.value, headers: headers)
    }

    /// `<topic>/<partition>/<offset>` of a record.
    package static func origin(of record: KafkaRecord) -> String {
        "\(record.topic)/\(record.partition)/\(record.offset)"
    }
}

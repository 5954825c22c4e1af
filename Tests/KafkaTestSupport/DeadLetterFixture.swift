import Kafka

/// Dead letters as the pipeline writes them (docs/output-contract.md): the input record's key,
/// value and cohort, plus the error and source headers. Shared by the redrive and report suites
/// of the CLI and of the application.
package enum DeadLetterFixture {
    /// An input record value.
    package static func inputValue(user: String, cohort: String) -> String {
        #"{"user_id":"\#(user)","cohort":"\#(cohort)","fuel":100}"#
    }

    /// A dead letter of `errorClass` for `user` (value: `inputValue` unless given).
    package static func record(
        topic: String, user: String, cohort: String, errorClass: String, partition: Int32? = nil,
        value: String? = nil, sourceOffset: Int = 0
    ) -> KafkaProducerRecord {
        KafkaProducerRecord(
            topic: topic, partition: partition, key: Array(user.utf8),
            value: Array((value ?? inputValue(user: user, cohort: cohort)).utf8),
            headers: [
                KafkaHeader(name: "cohort", string: cohort),
                KafkaHeader(name: "error.class", string: errorClass),
                KafkaHeader(name: "error.message", string: "fuel: must be a finite number >= 0"),
                KafkaHeader(name: "error.attempts", string: errorClass == "invalid-record" ? "0" : "3"),
                KafkaHeader(name: "source.topic", string: "user-spends"),
                KafkaHeader(name: "source.partition", string: "0"),
                KafkaHeader(name: "source.offset", string: String(sourceOffset)),
                KafkaHeader(name: "failed_at", string: "2026-11-29T06:30:56.376Z"),
            ])
    }
}

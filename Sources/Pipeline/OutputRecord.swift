import CardGenius
import Foundation
import Kafka
import StrictJSON

/// Builds the records this service publishes: recommendations (the output contract,
/// `schema_version` 1, documented in docs/output-contract.md) and dead letters.
package enum OutputRecord {
    /// The current output schema version.
    package static let schemaVersion = 1

    /// `{"schema_version":1,"user_id":…,"cohort":…,"source":{…},"processed_at":…,
    /// "attempts":N,"api_latency_ms":N,"savings":[…cards exactly as the API sent them…]}`,
    /// keyed by user id, with `cohort` and `content-type` headers.
    static func recommendation(
        _ recommendation: Recommendation, user: UserSpendRecord, source: KafkaRecord,
        attempts: Int, apiLatency: Duration, topic: String, now: Date = Date()
    ) -> KafkaProducerRecord {
        let cohort = source.headers.string(RecordHeader.cohort) ?? user.cohort
        var out: [UInt8] = []
        out.reserveCapacity(recommendation.withSavingsBytes(\.count) + 320)
        out += #"{"schema_version":1,"user_id":"#.utf8
        JSONWriter.appendString(user.userID, to: &out)
        out += #","cohort":"#.utf8
        if let cohort { JSONWriter.appendString(cohort, to: &out) } else { out += "null".utf8 }
        out += #","source":{"topic":"#.utf8
        JSONWriter.appendString(source.topic, to: &out)
        out += #","partition":\#(source.partition),"offset":\#(source.offset)},"processed_at":""#.utf8
        UTCTimestamp.appendISO8601(now, to: &out)
        out += #"","attempts":\#(attempts),"api_latency_ms":\#(apiLatency.milliseconds),"savings":"#.utf8
        recommendation.withSavingsBytes { out.append(contentsOf: $0) }
        out.append(UInt8(ascii: "}"))
        var headers = [KafkaHeader(name: RecordHeader.contentType, string: "application/json")]
        if let cohort { headers.insert(KafkaHeader(name: RecordHeader.cohort, string: cohort), at: 0) }
        return KafkaProducerRecord(topic: topic, key: Array(user.userID.utf8), value: out, headers: headers)
    }

    /// The input record exactly as it was (key, value, original headers), plus headers
    /// saying why and where from: `error.class`, `error.message`, `error.attempts`,
    /// `source.topic`, `source.partition`, `source.offset`, `failed_at`.
    static func deadLetter(
        _ source: KafkaRecord, errorClass: DeadLetterClass, message: String, attempts: Int, topic: String,
        now: Date = Date()
    ) -> KafkaProducerRecord {
        let original = source.headers.filter { !RecordHeader.isDeadLetterHeader($0.name) }
        let headers =
            original + [
                KafkaHeader(name: RecordHeader.errorClass, string: errorClass.rawValue),
                KafkaHeader(name: RecordHeader.errorMessage, string: String(message.prefix(2000))),
                KafkaHeader(name: RecordHeader.errorAttempts, string: String(attempts)),
                KafkaHeader(name: RecordHeader.sourceTopic, string: source.topic),
                KafkaHeader(name: RecordHeader.sourcePartition, string: String(source.partition)),
                KafkaHeader(name: RecordHeader.sourceOffset, string: String(source.offset)),
                KafkaHeader(name: RecordHeader.failedAt, string: UTCTimestamp.iso8601(now)),
            ]
        return KafkaProducerRecord(topic: topic, key: source.key, value: source.value, headers: headers)
    }

    /// `2026-11-29T06:30:00.123Z`: UTC with milliseconds, the form of `processed_at`,
    /// `failed_at` and `redrive.at`.
    package static func timestamp(_ date: Date) -> String {
        UTCTimestamp.iso8601(date)
    }
}

/// The timestamps of the records this service publishes: UTC with milliseconds, written
/// straight into the record's bytes (the digits through StrictJSON's `JSONWriter`).
enum UTCTimestamp {
    /// `2026-11-29T06:30:00.123Z`.
    static func iso8601(_ date: Date) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(24)
        appendISO8601(date, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `2026-11-29T06:30:00.123Z`: the digits written directly, as `%04d-%02d…`
    /// would write them (`String(format:)` cost ~2 % of the member's CPU per output record,
    /// BENCHMARKS.md section 0).
    static func appendISO8601(_ date: Date, to out: inout [UInt8]) {
        let t = date.timeIntervalSince1970
        var seconds = time_t(t.rounded(.down))
        let millis = Int((t - Double(seconds)) * 1000)
        var tm = tm()
        gmtime_r(&seconds, &tm)
        appendDigits(Int(tm.tm_year) + 1900, width: 4, to: &out)
        out.append(UInt8(ascii: "-"))
        appendDigits(Int(tm.tm_mon) + 1, width: 2, to: &out)
        out.append(UInt8(ascii: "-"))
        appendDigits(Int(tm.tm_mday), width: 2, to: &out)
        out.append(UInt8(ascii: "T"))
        appendDigits(Int(tm.tm_hour), width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        appendDigits(Int(tm.tm_min), width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        appendDigits(Int(tm.tm_sec), width: 2, to: &out)
        out.append(UInt8(ascii: "."))
        appendDigits(millis, width: 3, to: &out)
        out.append(UInt8(ascii: "Z"))
    }

    /// `value` in decimal, zero-padded to `width` digits (`%0<width>d` for the calendar's
    /// non-negative fields).
    private static func appendDigits(_ value: Int, width: Int, to out: inout [UInt8]) {
        var digits = 1
        var rest = value
        while rest >= 10 {
            rest /= 10
            digits += 1
        }
        if value >= 0, digits < width { out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: width - digits)) }
        JSONWriter.appendInteger(Int64(value), to: &out)
    }
}

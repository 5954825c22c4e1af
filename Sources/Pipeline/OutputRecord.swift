import CardGenius
import Foundation
import Kafka

/// Builds the records this service publishes: recommendations (the output contract,
/// `schema_version` 1, documented in docs/output-contract.md) and dead letters.
public enum OutputRecord {
    /// The current output schema version.
    public static let schemaVersion = 1

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
        JSONText.appendString(user.userID, to: &out)
        out += #","cohort":"#.utf8
        if let cohort { JSONText.appendString(cohort, to: &out) } else { out += "null".utf8 }
        out += #","source":{"topic":"#.utf8
        JSONText.appendString(source.topic, to: &out)
        out += #","partition":\#(source.partition),"offset":\#(source.offset)},"processed_at":""#.utf8
        JSONText.appendISO8601(now, to: &out)
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
        let headers = original + [
            KafkaHeader(name: RecordHeader.errorClass, string: errorClass.rawValue),
            KafkaHeader(name: RecordHeader.errorMessage, string: String(message.prefix(2000))),
            KafkaHeader(name: RecordHeader.errorAttempts, string: String(attempts)),
            KafkaHeader(name: RecordHeader.sourceTopic, string: source.topic),
            KafkaHeader(name: RecordHeader.sourcePartition, string: String(source.partition)),
            KafkaHeader(name: RecordHeader.sourceOffset, string: String(source.offset)),
            KafkaHeader(name: RecordHeader.failedAt, string: JSONText.iso8601(now)),
        ]
        return KafkaProducerRecord(topic: topic, key: source.key, value: source.value, headers: headers)
    }

    /// `2026-11-29T06:30:00.123Z`: UTC with milliseconds, the form of `processed_at`,
    /// `failed_at` and `redrive.at`.
    public static func timestamp(_ date: Date) -> String {
        JSONText.iso8601(date)
    }
}

/// Small, fast JSON text helpers for the hot path.
enum JSONText {
    static func appendString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): out += [92, 34]
            case UInt8(ascii: "\\"): out += [92, 92]
            case 0x0A: out += [92, UInt8(ascii: "n")]
            case 0x0D: out += [92, UInt8(ascii: "r")]
            case 0x09: out += [92, UInt8(ascii: "t")]
            case 0..<0x20:
                out += Array(String(format: "\\u%04x", b).utf8)
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

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

    /// `value` in decimal, zero-padded to `width` digits (`%0<width>d`).
    private static func appendDigits(_ value: Int, width: Int, to out: inout [UInt8]) {
        guard value >= 0 else {
            out += String(value).utf8  // only before year 0
            return
        }
        var digits = 1
        var limit = 10
        while value >= limit, digits < 19 { digits += 1; limit &*= 10 }
        for _ in digits..<max(digits, width) { out.append(UInt8(ascii: "0")) }
        var divisor = 1
        for _ in 1..<digits { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            out.append(UInt8(ascii: "0") &+ UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }
}

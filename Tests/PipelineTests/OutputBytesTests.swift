import CardGenius
import Foundation
import Kafka
import Testing

@testable import Pipeline

/// The bytes the member sends and publishes are a contract (docs/output-contract.md) and
/// must not move when the hot path is optimised: the request body, the recommendation record
/// (value, key, headers) and the dead letter, for inputs with escapes, non-ASCII, fractions,
/// a cohort from the header or the record or none, compared with what the service wrote
/// before the optimisation (the literals below).
@Suite struct OutputBytesTests {
    static let now = Date(timeIntervalSince1970: 1_795_935_000.1235)  // 2026-11-29T06:50:00.123Z
    static let savings =
        #"[{"card_name":"Axis \"Ace\"","total_savings":12345.5,"tags":["a\u00e9",null,true]},{"card_name":"Ünïcode ✓","total_savings":-0.25,"x":{}}]"#

    static func source(headers: [KafkaHeader]) -> KafkaRecord {
        KafkaRecord(
            topicPartition: KafkaTopicPartition(topic: "user-spends", partition: 7), offset: 123_456,
            key: Array("u-1".utf8), value: Array(#"{"user_id":"u-1"}"#.utf8), headers: headers)
    }

    @Test("the request body: every spend field in schema order, integral amounts without a fraction")
    func requestBody() {
        let body = RecommendationRequest(spends: [.amazonSpends: 5000, .flipkartSpends: 1234.56, .groceryOnline: 0.1, .onlineFoodOrdering: 1e9]).jsonBody()
        #expect(String(decoding: body, as: UTF8.self) == Self.expectedRequest)
    }

    @Test("a recommendation: cohort from the header, a user id with quotes, a backslash, a control character and non-ASCII")
    func recommendationWithHeaderCohort() {
        let user = UserSpendRecord(userID: "u-\"1\"\\é\u{01}\t", cohort: "from-record", spends: SpendProfile([.amazonSpends: 1]))
        let record = OutputRecord.recommendation(
            Recommendation(savingsJSON: Array(Self.savings.utf8), cardCount: 2, message: "ok"), user: user,
            source: Self.source(headers: [KafkaHeader(name: "cohort", string: "2026-W48")]),
            attempts: 2, apiLatency: .milliseconds(1534) + .microseconds(900), topic: "card-recommendations", now: Self.now)
        #expect(String(decoding: record.value ?? [], as: UTF8.self) == Self.expectedRecommendation)
        #expect(record.key == Array("u-\"1\"\\é\u{01}\t".utf8))
        #expect(record.topic == "card-recommendations")
        #expect(record.headers.map { "\($0.name)=\(String(decoding: $0.value ?? [], as: UTF8.self))" } == ["cohort=2026-W48", "content-type=application/json"])
    }

    @Test("a recommendation: the record's cohort without a header; none at all is null")
    func recommendationCohorts() {
        let withRecordCohort = OutputRecord.recommendation(
            Recommendation(savingsJSON: Array("[]".utf8), cardCount: 0, message: ""), user: UserSpendRecord(userID: "u", cohort: "2026-W49"),
            source: Self.source(headers: []), attempts: 1, apiLatency: .zero, topic: "out", now: Self.now)
        #expect(
            String(decoding: withRecordCohort.value ?? [], as: UTF8.self)
                == #"{"schema_version":1,"user_id":"u","cohort":"2026-W49","source":{"topic":"user-spends","partition":7,"offset":123456},"processed_at":"2026-11-29T06:50:00.123Z","attempts":1,"api_latency_ms":0,"savings":[]}"#
        )
        #expect(withRecordCohort.headers.map(\.name) == ["cohort", "content-type"])
        let none = OutputRecord.recommendation(
            Recommendation(savingsJSON: Array("[]".utf8), cardCount: 0, message: ""), user: UserSpendRecord(userID: "u"),
            source: Self.source(headers: []), attempts: 1, apiLatency: .milliseconds(7), topic: "out", now: Self.now)
        #expect(
            String(decoding: none.value ?? [], as: UTF8.self)
                == #"{"schema_version":1,"user_id":"u","cohort":null,"source":{"topic":"user-spends","partition":7,"offset":123456},"processed_at":"2026-11-29T06:50:00.123Z","attempts":1,"api_latency_ms":7,"savings":[]}"#
        )
        #expect(none.headers.map(\.name) == ["content-type"])
    }

    @Test("a dead letter: the input as it was, its headers, then the reason headers")
    func deadLetter() {
        let record = OutputRecord.deadLetter(
            Self.source(headers: [KafkaHeader(name: "cohort", string: "2026-W48"), KafkaHeader(name: "error.class", string: "stale")]),
            errorClass: .retriesExhausted, message: "HTTP 503 \"overloaded\"", attempts: 3, topic: "user-spends.dlq", now: Self.now)
        #expect(record.value == Array(#"{"user_id":"u-1"}"#.utf8))
        #expect(record.key == Array("u-1".utf8))
        #expect(
            record.headers.map { "\($0.name)=\(String(decoding: $0.value ?? [], as: UTF8.self))" } == [
                "cohort=2026-W48", "error.class=retries-exhausted", #"error.message=HTTP 503 "overloaded""#, "error.attempts=3",
                "source.topic=user-spends", "source.partition=7", "source.offset=123456", "failed_at=2026-11-29T06:50:00.123Z",
            ])
    }

    @Test("timestamps: the digits written directly equal printf's %04d-%02d-%02dT%02d:%02d:%02d.%03dZ")
    func timestamps() {
        let seconds: [Double] = [
            0, 0.999, 59.0005, 946_684_799.5, 951_782_400.05, 1_795_935_000.1235, 4_102_444_799.999,
            253_402_300_799.25,
        ]  // 1970, leap day 2000, this contract's example, 2099, year 9999
        for instant in seconds + (0..<200).map({ Double($0) * 123_456.789_1 }) {
            let date = Date(timeIntervalSince1970: instant)
            let t = date.timeIntervalSince1970  // as the writer reads it (a Date counts from 2001)
            var s = time_t(t.rounded(.down))
            let millis = Int((t - Double(s)) * 1000)
            var tm = tm()
            gmtime_r(&s, &tm)
            let printf = String(
                format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis)
            #expect(OutputRecord.timestamp(date) == printf, "\(instant)")
        }
    }

    static let expectedRequest =
        #"{"amazon_spends":5000,"flipkart_spends":1234.56,"grocery_spends_online":0.1,"online_food_ordering":1000000000,"other_online_spends":0,"other_offline_spends":0,"dining_or_going_out":0,"fuel":0,"school_fees":0,"rent":0,"mobile_phone_bills":0,"electricity_bills":0,"water_bills":0,"ott_channels":0,"new_monthly_cat_1":0,"new_monthly_cat_2":0,"new_monthly_cat_3":0,"hotels_annual":0,"flights_annual":0,"insurance_health_annual":0,"insurance_car_or_bike_annual":0,"large_electronics_purchase_like_mobile_tv_etc":0,"all_pharmacy":0,"new_cat_1":0,"new_cat_2":0,"new_cat_3":0,"domestic_lounge_usage_quarterly":0,"international_lounge_usage_quarterly":0,"railway_lounge_usage_quarterly":0,"movie_usage":0,"movie_mov":0,"dining_usage":0,"dining_mov":0,"selected_card_id":null}"#
    static let expectedRecommendation =
        #"{"schema_version":1,"user_id":"u-\"1\"\\é\u0001\t","cohort":"2026-W48","source":{"topic":"user-spends","partition":7,"offset":123456},"processed_at":"2026-11-29T06:50:00.123Z","attempts":2,"api_latency_ms":1534,"savings":[{"card_name":"Axis \"Ace\"","total_savings":12345.5,"tags":["a\u00e9",null,true]},{"card_name":"Ünïcode ✓","total_savings":-0.25,"x":{}}]}"#
}

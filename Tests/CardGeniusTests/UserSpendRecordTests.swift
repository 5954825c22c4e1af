import Foundation
import Testing

@testable import CardGenius

private func parse(_ json: String) throws(RecordValidationError) -> UserSpendRecord {
    try UserSpendRecord.parse(json: Array(json.utf8))
}

/// The validation error for `json`, or a recorded issue if it parses.
private func rejection(_ json: String) -> RecordValidationError? {
    rejection(bytes: Array(json.utf8))
}

private func rejection(bytes: [UInt8]) -> RecordValidationError? {
    do {
        let record = try UserSpendRecord.parse(json: bytes)
        Issue.record("expected a rejection, got \(record)")
        return nil
    } catch {
        return error
    }
}

@Suite struct UserSpendRecordJSONTests {
    @Test func minimalRecordHasZeroSpends() throws {
        let r = try parse(#"{"user_id":"u1"}"#)
        #expect(r.userID == "u1")
        #expect(r.cohort == nil)
        #expect(r.spends.isZero)
        #expect(r.spends[.fuel] == 0)
    }

    @Test func fullRecordWithWhitespaceAndNumberForms() throws {
        let json = """
             { "user_id" : "u-42" ,\t"cohort":"A",
              "amazon_spends": 12000, "fuel": 2500.75, "rent": 1.5e4, "hotels_annual": 2E+5,
              "movie_usage": 0, "dining_mov": 0.000123, "flights_annual": -0,
              "name": "Asha", "email": null, "source": "crm", "selected_card_id": null }\r\n
            """
        let r = try parse(json)
        #expect(r.userID == "u-42")
        #expect(r.cohort == "A")
        #expect(r.spends[.amazonSpends] == 12000)
        #expect(r.spends[.fuel] == 2500.75)
        #expect(r.spends[.rent] == 15000)
        #expect(r.spends[.hotelsAnnual] == 200_000)
        #expect(r.spends[.diningMov] == 0.000123)
        #expect(r.spends[.flightsAnnual] == 0)
        #expect(r.spends[.flightsAnnual].sign == .plus)
    }

    @Test func everySpendFieldIsAccepted() throws {
        let members = SpendField.allCases.enumerated().map { "\"\($0.element.rawValue)\": \($0.offset + 1)" }
        let r = try parse("{\"user_id\": \"u\", \(members.joined(separator: ", "))}")
        for (i, field) in SpendField.allCases.enumerated() {
            #expect(r.spends[field] == Double(i + 1), "\(field)")
        }
    }

    @Test(arguments: [
        "0", "0.1", "0.30000000000000004", "1e-7", "123456789", "9007199254740993", "123456789012345678901234",
        "1.7976931348623157e308", "4.9e-324", "2.2250738585072014e-308", "1E+2", "1e22", "1e23", "12345.678901234567",
        "0.0000000000000000000000000001", "100000000000000000000000000000000000000e-30",
    ])
    func numbersAreCorrectlyRounded(_ literal: String) throws {
        let r = try parse(#"{"user_id":"u","fuel":\#(literal)}"#)
        #expect(r.spends[.fuel] == Double(literal))
    }

    @Test func stringEscapesAndUnicode() throws {
        let r = try parse(#"{"user_id":"a\"b\\c\/d\u00e9\ud83d\ude00 ユーザー","cohort":"tab\u0041"}"#)
        #expect(r.userID == "a\"b\\c/dé😀 ユーザー")
        #expect(r.cohort == "tabA")
        // Escaped key names are recognised too.
        #expect(try parse(#"{"user_id":"u","fu\u0065l":5}"#).spends[.fuel] == 5)
        // A byte order mark is tolerated.
        #expect(try UserSpendRecord.parse(json: [0xEF, 0xBB, 0xBF] + Array(#"{"user_id":"u"}"#.utf8)).userID == "u")
    }

    @Test func parsesFromAnyCollection() throws {
        let bytes = Array(#"xx{"user_id":"u","rent":7}yy"#.utf8)
        #expect(try UserSpendRecord.parse(json: bytes[2..<(bytes.count - 2)]).spends[.rent] == 7)
        #expect(try UserSpendRecord.parse(json: Data(#"{"user_id":"u","rent":8}"#.utf8)).spends[.rent] == 8)
        // Not contiguous: falls back to a copy.
        #expect(try UserSpendRecord.parse(json: Array(#"{"user_id":"u","rent":9}"#.utf8).lazy.map { $0 }).spends[.rent] == 9)
    }

    // MARK: Rejections

    @Test func invalidJSON() {
        for json in [
            #"{"user_id":"u1",}"#, #"{"user_id":"u1""#, "not json", #"{"user_id":"u1"} x"#, "{\"user_id\":\"a\u{01}\"}",
            #"{"user_id":"u1","fuel":01}"#, #"{"user_id":"u1","fuel":1.}"#, #"{"user_id":"u1","fuel":12k}"#,
            #"{"user_id":"\x"}"#, #"{"user_id":"\ud800"}"#, #"{user_id:"u1"}"#, "", "   ",
        ] {
            let e = rejection(json)
            #expect(e?.code == .invalidJSON, "\(json)")
            #expect(e?.field == "(record)", "\(json)")
            #expect(e?.reason.hasPrefix("invalid JSON at column ") == true, "\(json): \(String(describing: e))")
        }
        #expect(rejection(#"{"user_id":"u1",}"#)?.description == "(record): invalid JSON at column 17: expected a string key")
        #expect(
            rejection(#"{"user_id":"u1" "fuel":1}"#)?.description
                == #"(record): invalid JSON at column 17: expected ',' or '}' after the value of "user_id""#)
        // Invalid UTF-8 inside a string.
        #expect(rejection(bytes: Array(#"{"user_id":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8))?.code == .invalidJSON)
    }

    @Test func stringErrorsNameTheirColumn() {
        func reason(_ json: String) -> String? { rejection(json)?.description }
        #expect(reason(#"{"user_id":"\u12x4"}"#) == #"(record): invalid JSON at column 14: invalid \u escape in string"#)
        #expect(reason(#"{"user_id":"\u12"#) == #"(record): invalid JSON at column 14: invalid \u escape in string"#)
        #expect(reason(#"{"user_id":"ab\"#) == "(record): invalid JSON at column 15: unterminated string")
        #expect(reason(#"{"user_id":"ab"#) == "(record): invalid JSON at column 15: unterminated string")
        #expect(reason(#"{"user_id":"\ud800"}"#) == "(record): invalid JSON at column 19: unpaired UTF-16 surrogate in string")
        #expect(reason(#"{"user_id":"\udc00"}"#) == "(record): invalid JSON at column 13: unpaired UTF-16 surrogate in string")
        #expect(reason(#"{"user_id":"a\qb"}"#) == "(record): invalid JSON at column 15: invalid escape sequence in string")
        #expect(reason("{\"user_id\":\"a\u{01}\"}") == "(record): invalid JSON at column 14: unescaped control character in string")
        #expect(
            rejection(bytes: Array(#"{"user_id":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8))?.description
                == "(record): invalid JSON at column 13: string is not valid UTF-8")
        #expect(reason(#"{"user_id":"u","fuel":01}"#) == #"(record): invalid JSON at column 23: invalid number for "fuel""#)
        #expect(reason(#"{"user_id":"u","fuel":truex}"#) == "(record): invalid JSON at column 23: expected a value")
    }

    @Test func notAnObject() {
        let e = rejection("[1, 2]")
        #expect(e?.code == .notAnObject)
        #expect(e?.description == "(record): must be a JSON object, got an array")
        #expect(rejection(#""u1""#)?.description == "(record): must be a JSON object, got a string")
        #expect(rejection("42")?.code == .notAnObject)
        #expect(rejection("null")?.code == .notAnObject)
    }

    @Test func userIDRules() {
        let missing = rejection(#"{"fuel": 1}"#)
        #expect(missing?.code == .missingField)
        #expect(missing?.description == "user_id: is required")
        #expect(rejection(#"{"user_id": 123}"#)?.description == "user_id: must be a string, got 123")
        #expect(rejection(#"{"user_id": null}"#)?.description == "user_id: must be a string, got null")
        #expect(rejection(#"{"user_id": "   "}"#)?.description == "user_id: must not be empty")
        #expect(rejection(#"{"user_id": ""}"#)?.code == .empty)
        let long = String(repeating: "x", count: 257)
        let tooLong = rejection(#"{"user_id": "\#(long)"}"#)
        #expect(tooLong?.code == .tooLong)
        #expect(tooLong?.description == "user_id: must be at most 256 bytes, got 257")
        #expect((try? parse(#"{"user_id": "\#(String(repeating: "x", count: 256))"}"#)) != nil)
        // 256 bytes is counted in UTF-8: 86 three-byte characters are 258 bytes.
        #expect(rejection(#"{"user_id": "\#(String(repeating: "ユ", count: 86))"}"#)?.code == .tooLong)
        let control = rejection(#"{"user_id": "a\u0001b"}"#)
        #expect(control?.code == .invalidCharacter)
        #expect(control?.description == #"user_id: must not contain control characters, got "a\u0001b""#)
    }

    @Test func cohortRules() throws {
        #expect(try parse(#"{"user_id":"u","cohort":null}"#).cohort == nil)
        #expect(rejection(#"{"user_id":"u","cohort":""}"#)?.description == "cohort: must not be empty when present")
        #expect(rejection(#"{"user_id":"u","cohort":7}"#)?.description == "cohort: must be a string or null, got 7")
        #expect(
            rejection(#"{"user_id":"u","cohort":"\#(String(repeating: "c", count: 65))"}"#)?.description
                == "cohort: must be at most 64 characters, got 65")
    }

    @Test func spendValueRejections() {
        func check(_ value: String, _ code: RecordValidationError.Code, _ description: String) {
            let e = rejection(#"{"user_id":"u","fuel":\#(value)}"#)
            #expect(e?.code == code, "\(value)")
            #expect(e?.field == "fuel", "\(value)")
            #expect(e?.description == description, "\(value)")
        }
        check(#""12k""#, .wrongType, #"fuel: must be a finite number >= 0, got string "12k""#)
        check(#""12""#, .wrongType, #"fuel: must be a finite number >= 0, got string "12""#)
        check("null", .wrongType, "fuel: must be a finite number >= 0, got null")
        check("true", .wrongType, "fuel: must be a finite number >= 0, got true")
        check("false", .wrongType, "fuel: must be a finite number >= 0, got false")
        check(#"{"a":1}"#, .wrongType, "fuel: must be a finite number >= 0, got an object")
        check("[1]", .wrongType, "fuel: must be a finite number >= 0, got an array")
        check("-5", .negative, "fuel: must be a finite number >= 0, got -5")
        check("-0.01", .negative, "fuel: must be a finite number >= 0, got -0.01")
        check("NaN", .notFinite, "fuel: must be a finite number >= 0, got NaN")
        check("Infinity", .notFinite, "fuel: must be a finite number >= 0, got Infinity")
        check("-Infinity", .notFinite, "fuel: must be a finite number >= 0, got -Infinity")
        check("1e999", .notFinite, "fuel: must be a finite number >= 0, got 1e999")
    }

    @Test func unknownAndDuplicateFields() {
        let typo = rejection(#"{"user_id":"u","amazon_spend":100}"#)
        #expect(typo?.code == .unknownField)
        #expect(typo?.field == "amazon_spend")
        #expect(typo?.description == #"amazon_spend: is not a known field (did you mean "amazon_spends"?)"#)
        #expect(rejection(#"{"user_id":"u","userid":"x"}"#)?.description == #"userid: is not a known field (did you mean "user_id"?)"#)
        #expect(rejection(#"{"user_id":"u","zzz":1}"#)?.description == "zzz: is not a known field")
        let duplicate = rejection(#"{"user_id":"u","fuel":1,"fuel":2}"#)
        #expect(duplicate?.code == .duplicateField)
        #expect(duplicate?.description == "fuel: appears more than once")
        #expect(rejection(#"{"user_id":"u","user_id":"v"}"#)?.code == .duplicateField)
    }

    @Test func metadataKeys() throws {
        let r = try parse(#"{"user_id":"u","name":"Asha","email":"a@example.com","source":null,"selected_card_id":null}"#)
        #expect(r == UserSpendRecord(userID: "u"))
        #expect(
            rejection(#"{"user_id":"u","selected_card_id":12}"#)?.description
                == "selected_card_id: must be null (a recommendation has no selected card), got 12")
        #expect(rejection(#"{"user_id":"u","email":["x"]}"#)?.description == "email: must be a string or null, got an array")
    }

    // MARK: Canonical JSON

    @Test func canonicalJSONShape() throws {
        var spends = SpendProfile()
        spends[.amazonSpends] = 12000
        spends[.fuel] = 2500.75
        spends[.diningMov] = 1e20
        let r = UserSpendRecord(userID: "u\"1", cohort: "B", spends: spends)
        let text = r.canonicalJSONString
        let zeros = SpendField.allCases.map { f -> String in
            let value: String
            switch f {
            case .amazonSpends: value = "12000"
            case .fuel: value = "2500.75"
            case .diningMov: value = "1e+20"
            default: value = "0"
            }
            return "\"\(f.rawValue)\":\(value)"
        }
        #expect(text == #"{"user_id":"u\"1","cohort":"B","# + zeros.joined(separator: ",") + "}")
        #expect(!UserSpendRecord(userID: "u").canonicalJSONString.contains("cohort"))
        // Parses with Foundation too, with every field present.
        let object = try JSONSerialization.jsonObject(with: Data(r.canonicalJSON())) as? [String: Any]
        #expect(object?.count == SpendField.allCases.count + 2)
    }

    @Test func canonicalJSONRoundTrips() throws {
        var generator = SystemRandomNumberGenerator()
        for i in 0..<500 {
            var spends = SpendProfile()
            for field in SpendField.allCases where Bool.random(using: &generator) {
                switch Int.random(in: 0..<4, using: &generator) {
                case 0: spends[field] = Double(Int.random(in: 0...10_000_000, using: &generator))
                case 1: spends[field] = Double.random(in: 0...1e7, using: &generator)
                case 2: spends[field] = Double.random(in: 0...1, using: &generator) * 1e-10
                default: spends[field] = Double.random(in: 1e15...1e300, using: &generator)
                }
            }
            let cohort: String? = i % 3 == 0 ? nil : "cohort-\(i)"
            let record = UserSpendRecord(userID: "user-\(i)-é\"\\/ 😀", cohort: cohort, spends: spends)
            let again = try UserSpendRecord.parse(json: record.canonicalJSON())
            #expect(again == record)
            #expect(again.canonicalJSON() == record.canonicalJSON())
        }
    }

    @Test func profileEqualityTreatsAbsentAsZero() {
        #expect(SpendProfile([.fuel: 0]) == SpendProfile())
        #expect(SpendProfile([.fuel: 1]) != SpendProfile())
    }
}

@Suite struct UserSpendRecordCSVTests {
    private func header(_ line: String) throws(RecordValidationError) -> CSVHeader {
        try CSVHeader(parsing: Array(line.utf8))
    }

    private func headerRejection(_ line: String) -> RecordValidationError? {
        do {
            _ = try header(line)
            Issue.record("expected a rejection of \(line)")
            return nil
        } catch {
            return error
        }
    }

    private func rowRejection(_ line: String, _ h: CSVHeader) -> RecordValidationError? {
        do {
            _ = try h.record(fromRow: Array(line.utf8))
            Issue.record("expected a rejection of \(line)")
            return nil
        } catch {
            return error
        }
    }

    @Test func headerParsing() throws {
        let h = try CSVHeader(parsing: [0xEF, 0xBB, 0xBF] + Array("user_id, \"fuel\",cohort,name,\"rent\"\r".utf8))
        #expect(h.names == ["user_id", "fuel", "cohort", "name", "rent"])
        #expect(h.columns == [.userID, .spend(.fuel), .cohort, .metadata("name"), .spend(.rent)])
    }

    @Test func headerRejections() {
        let unknown = headerRejection("user_id,amazon_spend,fuel")
        #expect(unknown?.code == .unknownField)
        #expect(unknown?.description == #"amazon_spend: is not a known column (did you mean "amazon_spends"?)"#)
        #expect(headerRejection("fuel,rent")?.description == "user_id: column is required")
        #expect(headerRejection("fuel,rent")?.code == .missingField)
        #expect(headerRejection("user_id,fuel,fuel")?.description == "fuel: column appears more than once")
        #expect(headerRejection("user_id,,fuel")?.description == "(header): column 2 has an empty name")
        #expect(headerRejection("user_id,\"fuel")?.code == .invalidJSON)
    }

    @Test func rowsWithQuoting() throws {
        let h = try header("user_id,cohort,fuel,rent,name")
        let plain = try h.record(fromRow: Array("u1,,12.5, 3e2 ,Asha\r".utf8))
        #expect(plain == UserSpendRecord(userID: "u1", spends: SpendProfile([.fuel: 12.5, .rent: 300])))
        let quoted = try h.record(fromRow: Array(#""u,""1""","A","7",,"Doe, ""J""""#.utf8))
        #expect(quoted.userID == #"u,"1""#)
        #expect(quoted.cohort == "A")
        #expect(quoted.spends[.fuel] == 7)
        #expect(quoted.spends[.rent] == 0)
        #expect(try h.record(fromRow: Array("u2,,+5,0,".utf8)).spends[.fuel] == 5)
        // Round trip through the canonical JSON.
        #expect(try UserSpendRecord.parse(json: quoted.canonicalJSON()) == quoted)
    }

    @Test func rowRejections() throws {
        let h = try header("user_id,cohort,fuel,rent,selected_card_id")
        #expect(rowRejection("u1,,12k,,", h)?.description == #"fuel: must be a finite number >= 0, got "12k""#)
        #expect(rowRejection("u1,,12k,,", h)?.code == .wrongType)
        #expect(rowRejection("u1,,,-3,", h)?.description == "rent: must be a finite number >= 0, got -3")
        #expect(rowRejection("u1,,,-3,", h)?.code == .negative)
        #expect(rowRejection("u1,,NaN,,", h)?.code == .notFinite)
        #expect(rowRejection("u1,,1e999,,", h)?.code == .notFinite)
        #expect(rowRejection("u1,,1,2", h)?.description == "(record): has 4 cells, expected 5 (one per header column)")
        #expect(rowRejection("u1,,1,2,,", h)?.code == .wrongCellCount)
        #expect(rowRejection(" ,,1,2,", h)?.description == "user_id: must not be empty")
        #expect(rowRejection("u1,,1,2,77", h)?.code == .wrongType)
        #expect((try? h.record(fromRow: Array("u1,,1,2,null".utf8))) != nil)
        #expect(rowRejection(#"u1,,"1"x,,"#, h)?.description == "(record): invalid CSV: column 3: unexpected character after the closing quote")
        #expect(rowRejection(#"u1,,1"2,,"#, h)?.code == .invalidJSON)
        #expect(
            rowRejection(#"u1,"A,1,2,"#, h)?.description
                == "(record): invalid CSV: column 2: unterminated quoted field (quoted fields cannot span lines)")
    }
}

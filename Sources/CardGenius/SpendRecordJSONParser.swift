import StrictJSON

/// The strict single-pass parser for one flat JSON input record, on the shared
/// ``JSONScanner``: it walks the record's grammar (one object of known keys) and turns
/// every problem into a ``RecordValidationError`` naming the record or the field.
struct SpendRecordJSONParser {
    private var scanner: JSONScanner

    init(_ bytes: UnsafeRawBufferPointer) {
        self.scanner = JSONScanner(bytes: bytes)
    }

    mutating func parseRecord() -> Result<UserSpendRecord, RecordValidationError> {
        do throws(RecordValidationError) {
            return .success(try parse())
        } catch {
            return .failure(error)
        }
    }

    // MARK: - Record

    private mutating func parse() throws(RecordValidationError) -> UserSpendRecord {
        let b = scanner.bytes
        if b.starts(with: [0xEF, 0xBB, 0xBF]) { scanner.index = 3 }
        scanner.skipWhitespace()
        guard let first = peek() else { throw invalidJSON("the record is empty") }
        guard first == UInt8(ascii: "{") else { throw notAnObject() }
        scanner.index += 1

        var seen: UInt64 = 0
        var userID: String? = nil
        var cohort: String? = nil
        var amounts: [SpendField: Double] = [:]
        amounts.reserveCapacity(SpendField.allCases.count)

        scanner.skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            scanner.index += 1
        } else {
            members: while true {
                scanner.skipWhitespace()
                guard peek() == UInt8(ascii: "\"") else { throw invalidJSON("expected a string key") }
                let key = try parseKey()
                if seen & key.bit != 0 {
                    throw RecordValidationError(code: .duplicateField, field: key.name, reason: "appears more than once")
                }
                seen |= key.bit
                scanner.skipWhitespace()
                guard peek() == UInt8(ascii: ":") else { throw invalidJSON("expected ':' after key \"\(key.name)\"") }
                scanner.index += 1
                scanner.skipWhitespace()
                switch key {
                case .spend(let field):
                    amounts[field] = try parseSpend(field.rawValue)
                case .userID:
                    userID = try parseString(field: "user_id", nullable: false)
                case .cohort:
                    cohort = try parseString(field: "cohort", nullable: true)
                case .metadata(let name):
                    if name == "selected_card_id" {
                        guard scanner.consumeWord("null") else {
                            let got = try describeValue()
                            throw RecordValidationError(
                                code: .wrongType, field: name,
                                reason: "must be null (a recommendation has no selected card), got \(got)"
                            )
                        }
                    } else {
                        _ = try parseString(field: name, nullable: true)
                    }
                }
                scanner.skipWhitespace()
                switch peek() {
                case UInt8(ascii: ","):
                    scanner.index += 1
                case UInt8(ascii: "}"):
                    scanner.index += 1
                    break members
                default:
                    throw invalidJSON("expected ',' or '}' after the value of \"\(key.name)\"")
                }
            }
        }
        scanner.skipWhitespace()
        guard scanner.index == b.count else { throw invalidJSON("unexpected data after the end of the object") }

        guard let userID else {
            throw RecordValidationError(code: .missingField, field: "user_id", reason: "is required")
        }
        try UserSpendRecord.validateUserID(userID)
        if let cohort { try UserSpendRecord.validateCohort(cohort) }
        return UserSpendRecord(userID: userID, cohort: cohort, spends: SpendProfile(amounts))
    }

    // MARK: - Values

    private mutating func parseKey() throws(RecordValidationError) -> SpendRecordKey {
        let (range, escaped) = try scanString()
        if !escaped, let key = SpendRecordKey.lookup(UnsafeRawBufferPointer(rebasing: scanner.bytes[range])) {
            return key
        }
        let name = try decodeString(range, escaped: escaped)
        if escaped, let key = SpendRecordKey.all.first(where: { $0.name == name }) {
            return key
        }
        var reason = "is not a known field"
        if let guess = RecordValidationError.suggestion(for: name, among: SpendRecordKey.suggestible) {
            reason += " (did you mean \"\(guess)\"?)"
        }
        throw RecordValidationError(code: .unknownField, field: name, reason: reason)
    }

    private mutating func parseSpend(_ field: String) throws(RecordValidationError) -> Double {
        let expectation = "must be a finite number >= 0"
        guard let c = peek() else { throw invalidJSON("expected a value for \"\(field)\"") }
        if c == UInt8(ascii: "-") || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) {
            if c == UInt8(ascii: "-"), scanner.consumeWord("-Infinity") {
                throw RecordValidationError(code: .notFinite, field: field, reason: "\(expectation), got -Infinity")
            }
            guard let (range, value) = scanNumber() else {
                throw invalidJSON("invalid number for \"\(field)\"")
            }
            if !value.isFinite {
                throw RecordValidationError(code: .notFinite, field: field, reason: "\(expectation), got \(text(range))")
            }
            if value < 0 {
                throw RecordValidationError(code: .negative, field: field, reason: "\(expectation), got \(text(range))")
            }
            return value + 0  // turns -0 into 0
        }
        for literal: StaticString in ["NaN", "Infinity"] where scanner.consumeWord(literal) {
            throw RecordValidationError(code: .notFinite, field: field, reason: "\(expectation), got \(literal)")
        }
        let got = try describeValue()
        throw RecordValidationError(code: .wrongType, field: field, reason: "\(expectation), got \(got)")
    }

    private mutating func parseString(field: String, nullable: Bool) throws(RecordValidationError) -> String? {
        if peek() == UInt8(ascii: "\"") {
            let (range, escaped) = try scanString()
            return try decodeString(range, escaped: escaped)
        }
        if nullable && scanner.consumeWord("null") { return nil }
        let got = try describeValue()
        throw RecordValidationError(
            code: .wrongType, field: field, reason: "must be a string\(nullable ? " or null" : ""), got \(got)"
        )
    }

    /// Consumes the value at the cursor and describes it for an error: `string "12k"`, `true`, `null`, `an object`, `12`.
    private mutating func describeValue() throws(RecordValidationError) -> String {
        guard let c = peek() else { throw invalidJSON("expected a value") }
        switch c {
        case UInt8(ascii: "\""):
            let (range, escaped) = try scanString()
            return "string " + RecordValidationError.quoted(try decodeString(range, escaped: escaped))
        case UInt8(ascii: "{"): return "an object"
        case UInt8(ascii: "["): return "an array"
        case UInt8(ascii: "t") where scanner.consumeWord("true"): return "true"
        case UInt8(ascii: "f") where scanner.consumeWord("false"): return "false"
        case UInt8(ascii: "n") where scanner.consumeWord("null"): return "null"
        default:
            guard let (range, _) = scanNumber() else { throw invalidJSON("expected a value") }
            return text(range)
        }
    }

    // MARK: - Scanner steps, with the record's error messages

    /// The string at the cursor (which is at its opening quote): its content range and whether it has escapes.
    private mutating func scanString() throws(RecordValidationError) -> (Range<Int>, Bool) {
        do throws(JSONScanner.ScanError) {
            let scanned = try scanner.scanString()
            return (scanned.range, scanned.hasEscapes)
        } catch {
            switch error {
            case .truncated(let offset):
                let escape = scanner.index  // the backslash of an escape the record ended in, else the end
                if escape < offset, escape + 1 < offset, scanner.bytes[escape + 1] == UInt8(ascii: "u") {
                    throw invalidJSON("invalid \\u escape in string", at: escape + 1)
                }
                throw invalidJSON("unterminated string", at: escape)
            case .malformed(let offset, let reason) where reason == JSONScanner.Reason.badUnicodeEscape:
                // Point at the `u`: the scanner points at the first bad hex digit after it.
                var u = offset - 1
                while u > 0 && scanner.bytes[u] != UInt8(ascii: "u") { u -= 1 }
                throw invalidJSON("invalid \\u escape in string", at: u)
            case .malformed(let offset, let reason) where reason == JSONScanner.Reason.badEscape:
                throw invalidJSON("invalid escape sequence in string", at: offset)
            case .malformed(let offset, let reason) where reason == JSONScanner.Reason.controlCharacter:
                throw invalidJSON("unescaped control character in string", at: offset)
            case .malformed(let offset, let reason):
                throw invalidJSON(reason, at: offset)
            }
        }
    }

    /// Decodes a scanned string, rejecting bytes that are not UTF-8 and unpaired surrogates.
    private func decodeString(_ range: Range<Int>, escaped: Bool) throws(RecordValidationError) -> String {
        do throws(JSONScanner.ScanError) {
            return try scanner.decodeValidString(range, hasEscapes: escaped)
        } catch {
            switch error {
            case .truncated(let offset):  // decoding a scanned string does not run out of input
                throw invalidJSON("unterminated string", at: offset)
            case .malformed(let offset, let reason):  // not UTF-8, or an unpaired surrogate
                throw invalidJSON(reason, at: offset)
            }
        }
    }

    /// The number at the cursor (JSON grammar, so no leading zeros), or nil with the cursor
    /// unchanged when there is no well-formed number there.
    private mutating func scanNumber() -> (range: Range<Int>, value: Double)? {
        let start = scanner.index
        guard let number = try? scanner.scanDouble() else {
            scanner.index = start
            return nil
        }
        let end = number.range.upperBound
        let b = scanner.bytes
        if end < b.count, b[end] &- UInt8(ascii: "0") < 10, b[end - 1] == UInt8(ascii: "0"),
            end - start == 1 || (end - start == 2 && b[start] == UInt8(ascii: "-"))
        {
            scanner.index = start  // "01": a leading zero
            return nil
        }
        return number
    }

    // MARK: - Helpers

    private func peek() -> UInt8? {
        scanner.index < scanner.bytes.count ? scanner.bytes[scanner.index] : nil
    }

    private func text(_ range: Range<Int>) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: scanner.bytes[range]), as: UTF8.self)
    }

    /// The error for a record that does not start with `{`: `.notAnObject` if it is some other JSON value.
    private mutating func notAnObject() -> RecordValidationError {
        let got: String
        switch scanner.bytes[scanner.index] {
        case UInt8(ascii: "["): got = "an array"  // not validated further
        case UInt8(ascii: "\""): got = "a string"
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            guard scanNumber() != nil else { return invalidJSON("expected '{'") }
            got = "a number"
        case UInt8(ascii: "t") where scanner.consumeWord("true"): got = "a boolean"
        case UInt8(ascii: "f") where scanner.consumeWord("false"): got = "a boolean"
        case UInt8(ascii: "n") where scanner.consumeWord("null"): got = "null"
        default: return invalidJSON("expected '{'")
        }
        if got != "an array" && got != "a string" {
            let valueEnd = scanner.index
            scanner.skipWhitespace()
            guard scanner.index == scanner.bytes.count else { return invalidJSON("expected '{'", at: valueEnd) }
        }
        return RecordValidationError(code: .notAnObject, field: RecordValidationError.recordField, reason: "must be a JSON object, got \(got)")
    }

    private func invalidJSON(_ message: String, at position: Int? = nil) -> RecordValidationError {
        let column = (position ?? scanner.index) + 1
        return RecordValidationError(
            code: .invalidJSON, field: RecordValidationError.recordField,
            reason: "invalid JSON at column \(column): \(message)"
        )
    }
}

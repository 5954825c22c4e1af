extension UserSpendRecord {
    /// Parses one input record from a JSON object.
    ///
    /// The rules are listed on ``UserSpendRecord``. Parsing is a single strict pass
    /// over the bytes (no `JSONSerialization`): full RFC 8259 strings (escapes,
    /// surrogate pairs, UTF-8 validation), numbers with fractions and exponents,
    /// whitespace anywhere JSON allows it. Duplicate keys are rejected. The first
    /// problem found is thrown.
    public static func parse(json: some Collection<UInt8>) throws(RecordValidationError) -> UserSpendRecord {
        let fast = json.withContiguousStorageIfAvailable { buffer in
            var scanner = SpendRecordJSONScanner(buffer)
            return scanner.parseRecord()
        }
        if let fast { return try fast.get() }
        let copy = Array(json)
        return try copy.withUnsafeBufferPointer { buffer in
            var scanner = SpendRecordJSONScanner(buffer)
            return scanner.parseRecord()
        }.get()
    }

    /// The canonical JSON value published to Kafka:
    /// `{"user_id":...,"cohort":... (if any), <every spend field in SpendField.allCases order>}`.
    ///
    /// Absent spends are written as `0`; integral amounts without `.0`; no whitespace.
    /// Metadata keys are not written. The result parses back to an equal record.
    public func canonicalJSON() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(720 + userID.utf8.count + (cohort?.utf8.count ?? 0))
        out.append(contentsOf: #"{"user_id":"#.utf8)
        Self.appendJSONString(userID, to: &out)
        if let cohort {
            out.append(contentsOf: #","cohort":"#.utf8)
            Self.appendJSONString(cohort, to: &out)
        }
        for field in SpendField.allCases {
            out.append(UInt8(ascii: ","))
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: field.rawValue.utf8)
            out.append(contentsOf: "\":".utf8)
            Self.appendJSONNumber(spends[field], to: &out)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// ``canonicalJSON()`` as a `String`.
    public var canonicalJSONString: String {
        String(decoding: canonicalJSON(), as: UTF8.self)
    }

    static func appendJSONString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: #"\\"#.utf8)
            case 0x0A: out.append(contentsOf: #"\n"#.utf8)
            case 0x0D: out.append(contentsOf: #"\r"#.utf8)
            case 0x09: out.append(contentsOf: #"\t"#.utf8)
            case 0..<0x20:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                out.append(contentsOf: #"\u00"#.utf8)
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Integral values (below 1e15) as integers, others in Swift's shortest round-tripping form.
    static func appendJSONNumber(_ value: Double, to out: inout [UInt8]) {
        guard value.isFinite else {
            out.append(UInt8(ascii: "0"))  // unreachable for validated records; JSON has no NaN/Infinity
            return
        }
        if value == value.rounded(), abs(value) < 1e15 {
            out.append(contentsOf: String(Int64(value)).utf8)
        } else {
            out.append(contentsOf: value.description.utf8)  // e.g. 1234.5, 1e+20, 5e-324: all valid JSON
        }
    }
}

/// The keys a record may contain, with a bit index for duplicate detection.
enum SpendRecordKey: Equatable {
    case userID
    case cohort
    case spend(SpendField)
    case metadata(String)

    var bit: UInt64 {
        switch self {
        case .userID: return 1 << 0
        case .cohort: return 1 << 1
        case .spend(let field): return 1 << (2 + UInt64(SpendRecordKey.spendIndex[field] ?? 0))
        case .metadata(let name): return 1 << (40 + UInt64(UserSpendRecord.metadataKeys.firstIndex(of: name) ?? 0))
        }
    }

    var name: String {
        switch self {
        case .userID: return "user_id"
        case .cohort: return "cohort"
        case .spend(let field): return field.rawValue
        case .metadata(let name): return name
        }
    }

    static let spendIndex: [SpendField: Int] = Dictionary(
        uniqueKeysWithValues: SpendField.allCases.enumerated().map { ($0.element, $0.offset) }
    )

    static let all: [SpendRecordKey] =
        [.userID, .cohort] + SpendField.allCases.map { .spend($0) } + UserSpendRecord.metadataKeys.map { .metadata($0) }

    /// Names a typo may be corrected to.
    static let suggestible: [String] = ["user_id", "cohort"] + SpendField.allCases.map(\.rawValue)

    /// `all`, bucketed by UTF-8 length, for allocation-free lookup of raw key bytes.
    static let byLength: [[(bytes: [UInt8], key: SpendRecordKey)]] = {
        let maxLength = all.map { $0.name.utf8.count }.max() ?? 0
        var table = [[(bytes: [UInt8], key: SpendRecordKey)]](repeating: [], count: maxLength + 1)
        for key in all {
            let bytes = Array(key.name.utf8)
            table[bytes.count].append((bytes, key))
        }
        return table
    }()

    static func lookup(_ bytes: UnsafeBufferPointer<UInt8>) -> SpendRecordKey? {
        guard bytes.count < byLength.count else { return nil }
        for candidate in byLength[bytes.count] where candidate.bytes.elementsEqual(bytes) {
            return candidate.key
        }
        return nil
    }
}

/// Parses JSON numbers from bytes; shared by the JSON scanner and CSV cells.
enum SpendRecordNumber {
    private static let powersOf10: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// Scans a JSON number (RFC 8259 grammar) starting at `start`.
    /// Returns the index after it and its value (possibly negative, infinite on overflow),
    /// or `nil` if there is no well-formed number there.
    static func scan(_ b: UnsafeBufferPointer<UInt8>, from start: Int) -> (end: Int, value: Double)? {
        let n = b.count
        var i = start
        var negative = false
        if i < n && b[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        var mantissa: UInt64 = 0
        var significant = 0  // digits accumulated into mantissa (after leading zeros)
        var dropped = 0  // integer digits that did not fit
        var exponent = 0
        func isDigit(_ c: UInt8) -> Bool { c &- UInt8(ascii: "0") < 10 }

        guard i < n, isDigit(b[i]) else { return nil }
        if b[i] == UInt8(ascii: "0") {
            i += 1
            if i < n && isDigit(b[i]) { return nil }  // leading zero
        } else {
            while i < n && isDigit(b[i]) {
                if significant < 19 {
                    mantissa = mantissa * 10 + UInt64(b[i] &- UInt8(ascii: "0"))
                    significant += 1
                } else {
                    dropped += 1
                }
                i += 1
            }
        }
        var inexact = dropped > 0
        if i < n && b[i] == UInt8(ascii: ".") {
            i += 1
            guard i < n, isDigit(b[i]) else { return nil }
            while i < n && isDigit(b[i]) {
                let digit = b[i] &- UInt8(ascii: "0")
                if mantissa == 0 && digit == 0 {
                    exponent -= 1
                } else if significant < 19 {
                    mantissa = mantissa * 10 + UInt64(digit)
                    significant += 1
                    exponent -= 1
                } else {
                    inexact = true
                }
                i += 1
            }
        }
        if i < n && (b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E")) {
            i += 1
            var expNegative = false
            if i < n && (b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-")) {
                expNegative = b[i] == UInt8(ascii: "-")
                i += 1
            }
            guard i < n, isDigit(b[i]) else { return nil }
            var e = 0
            while i < n && isDigit(b[i]) {
                if e < 100_000 { e = e * 10 + Int(b[i] &- UInt8(ascii: "0")) }
                i += 1
            }
            exponent += expNegative ? -e : e
        }
        let e10 = exponent + dropped
        var value: Double
        if !inexact && mantissa < (1 << 53) && abs(e10) <= 22 {
            // Clinger's fast path: both operands exact, so one IEEE operation rounds correctly.
            value = Double(mantissa)
            value = e10 >= 0 ? value * powersOf10[e10] : value / powersOf10[-e10]
        } else if mantissa == 0 {
            value = 0
        } else {
            let text = String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
            guard let parsed = Double(text) else { return nil }
            return (i, parsed)
        }
        if negative { value = -value }
        return (i, value)
    }
}

/// A strict single-pass parser for one flat JSON record.
struct SpendRecordJSONScanner {
    private let b: UnsafeBufferPointer<UInt8>
    private var i = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.b = bytes
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
        if b.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        skipWhitespace()
        guard i < b.count else { throw invalidJSON("the record is empty") }
        guard b[i] == UInt8(ascii: "{") else { throw notAnObject() }
        i += 1

        var seen: UInt64 = 0
        var userID: String? = nil
        var cohort: String? = nil
        var amounts: [SpendField: Double] = [:]
        amounts.reserveCapacity(SpendField.allCases.count)

        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            i += 1
        } else {
            members: while true {
                skipWhitespace()
                guard peek() == UInt8(ascii: "\"") else { throw invalidJSON("expected a string key") }
                let key = try parseKey()
                if seen & key.bit != 0 {
                    throw RecordValidationError(code: .duplicateField, field: key.name, reason: "appears more than once")
                }
                seen |= key.bit
                skipWhitespace()
                guard peek() == UInt8(ascii: ":") else { throw invalidJSON("expected ':' after key \"\(key.name)\"") }
                i += 1
                skipWhitespace()
                switch key {
                case .spend(let field):
                    amounts[field] = try parseSpend(field.rawValue)
                case .userID:
                    userID = try parseString(field: "user_id", nullable: false)
                case .cohort:
                    cohort = try parseString(field: "cohort", nullable: true)
                case .metadata(let name):
                    if name == "selected_card_id" {
                        guard matchLiteral("null") else {
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
                skipWhitespace()
                switch peek() {
                case UInt8(ascii: ","):
                    i += 1
                case UInt8(ascii: "}"):
                    i += 1
                    break members
                default:
                    throw invalidJSON("expected ',' or '}' after the value of \"\(key.name)\"")
                }
            }
        }
        skipWhitespace()
        guard i == b.count else { throw invalidJSON("unexpected data after the end of the object") }

        guard let userID else {
            throw RecordValidationError(code: .missingField, field: "user_id", reason: "is required")
        }
        try UserSpendRecord.validateUserID(userID)
        if let cohort { try UserSpendRecord.validateCohort(cohort) }
        return UserSpendRecord(userID: userID, cohort: cohort, spends: SpendProfile(amounts))
    }

    // MARK: - Values

    private mutating func parseKey() throws(RecordValidationError) -> SpendRecordKey {
        let (start, end, escaped) = try scanString()
        if !escaped, let key = SpendRecordKey.lookup(UnsafeBufferPointer(rebasing: b[start..<end])) {
            return key
        }
        let name = try decodeString(start, end, escaped: escaped)
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
            if c == UInt8(ascii: "-"), matchLiteral("-Infinity") {
                throw RecordValidationError(code: .notFinite, field: field, reason: "\(expectation), got -Infinity")
            }
            let start = i
            guard let (end, value) = SpendRecordNumber.scan(b, from: i) else {
                throw invalidJSON("invalid number for \"\(field)\"")
            }
            i = end
            let literal = String(decoding: UnsafeBufferPointer(rebasing: b[start..<end]), as: UTF8.self)
            if !value.isFinite {
                throw RecordValidationError(code: .notFinite, field: field, reason: "\(expectation), got \(literal)")
            }
            if value < 0 {
                throw RecordValidationError(code: .negative, field: field, reason: "\(expectation), got \(literal)")
            }
            return value + 0  // turns -0 into 0
        }
        for literal: StaticString in ["NaN", "Infinity"] where matchLiteral(literal) {
            throw RecordValidationError(code: .notFinite, field: field, reason: "\(expectation), got \(literal)")
        }
        let got = try describeValue()
        throw RecordValidationError(code: .wrongType, field: field, reason: "\(expectation), got \(got)")
    }

    private mutating func parseString(field: String, nullable: Bool) throws(RecordValidationError) -> String? {
        if peek() == UInt8(ascii: "\"") {
            let (start, end, escaped) = try scanString()
            return try decodeString(start, end, escaped: escaped)
        }
        if nullable && matchLiteral("null") { return nil }
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
            let (start, end, escaped) = try scanString()
            return "string " + RecordValidationError.quoted(try decodeString(start, end, escaped: escaped))
        case UInt8(ascii: "{"): return "an object"
        case UInt8(ascii: "["): return "an array"
        case UInt8(ascii: "t") where matchLiteral("true"): return "true"
        case UInt8(ascii: "f") where matchLiteral("false"): return "false"
        case UInt8(ascii: "n") where matchLiteral("null"): return "null"
        default:
            let start = i
            if let (end, _) = SpendRecordNumber.scan(b, from: i) {
                i = end
                return String(decoding: UnsafeBufferPointer(rebasing: b[start..<end]), as: UTF8.self)
            }
            throw invalidJSON("expected a value")
        }
    }

    // MARK: - Strings

    /// Scans a string starting at the opening quote; returns the content bounds and whether it has escapes.
    private mutating func scanString() throws(RecordValidationError) -> (Int, Int, Bool) {
        i += 1
        let start = i
        var escaped = false
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                return (start, i - 1, escaped)
            } else if c == UInt8(ascii: "\\") {
                escaped = true
                guard i + 1 < b.count else { break }
                switch b[i + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                     UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    i += 2
                case UInt8(ascii: "u"):
                    guard i + 6 <= b.count, (i + 2..<i + 6).allSatisfy({ Self.hexValue(b[$0]) != nil }) else {
                        i += 1
                        throw invalidJSON("invalid \\u escape in string")
                    }
                    i += 6
                default:
                    i += 1
                    throw invalidJSON("invalid escape sequence in string")
                }
            } else if c < 0x20 {
                throw invalidJSON("unescaped control character in string")
            } else {
                i += 1
            }
        }
        throw invalidJSON("unterminated string")
    }

    /// Decodes the string content `b[start..<end]` (already scanned), validating UTF-8.
    private func decodeString(_ start: Int, _ end: Int, escaped: Bool) throws(RecordValidationError) -> String {
        let raw = UnsafeBufferPointer(rebasing: b[start..<end])
        if !escaped {
            guard let s = String(validating: raw, as: UTF8.self) else { throw invalidUTF8(at: start) }
            return s
        }
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var j = start
        while j < end {
            let c = b[j]
            guard c == UInt8(ascii: "\\") else {
                out.append(c)
                j += 1
                continue
            }
            let e = b[j + 1]
            j += 2
            switch e {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = hex4(at: j)
                j += 4
                if (0xD800...0xDBFF).contains(scalar) {
                    guard j + 6 <= end, b[j] == UInt8(ascii: "\\"), b[j + 1] == UInt8(ascii: "u") else {
                        throw invalidJSON("unpaired UTF-16 surrogate in string", at: j)
                    }
                    let low = hex4(at: j + 2)
                    guard (0xDC00...0xDFFF).contains(low) else {
                        throw invalidJSON("unpaired UTF-16 surrogate in string", at: j)
                    }
                    j += 6
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    throw invalidJSON("unpaired UTF-16 surrogate in string", at: j - 6)
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw invalidJSON("invalid \\u escape", at: j - 6) }
                out.append(contentsOf: String(Character(unicode)).utf8)
            default: out.append(e)  // \" \\ \/
            }
        }
        guard let s = String(validating: out, as: UTF8.self) else { throw invalidUTF8(at: start) }
        return s
    }

    private func hex4(at j: Int) -> UInt32 {
        var v: UInt32 = 0
        for k in j..<j + 4 { v = v * 16 + UInt32(Self.hexValue(b[k]) ?? 0) }
        return v
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    // MARK: - Helpers

    private func peek() -> UInt8? {
        i < b.count ? b[i] : nil
    }

    private mutating func skipWhitespace() {
        while i < b.count {
            switch b[i] {
            case 0x20, 0x09, 0x0A, 0x0D: i += 1
            default: return
            }
        }
    }

    /// Consumes `word` if it is at the cursor and not followed by more letters/digits.
    private mutating func matchLiteral(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard i + count <= b.count else { return false }
        let matches = word.withUTF8Buffer { w in
            UnsafeBufferPointer(rebasing: b[i..<i + count]).elementsEqual(w)
        }
        guard matches else { return false }
        if i + count < b.count {
            let next = b[i + count]
            if (next >= UInt8(ascii: "a") && next <= UInt8(ascii: "z")) || (next >= UInt8(ascii: "A") && next <= UInt8(ascii: "Z"))
                || (next >= UInt8(ascii: "0") && next <= UInt8(ascii: "9"))
            {
                return false
            }
        }
        i += count
        return true
    }

    /// The error for a record that does not start with `{`: `.notAnObject` if it is some other JSON value.
    private mutating func notAnObject() -> RecordValidationError {
        let got: String
        switch b[i] {
        case UInt8(ascii: "["): got = "an array"  // not validated further
        case UInt8(ascii: "\""): got = "a string"
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            guard let (end, _) = SpendRecordNumber.scan(b, from: i) else { return invalidJSON("expected '{'") }
            i = end
            got = "a number"
        case UInt8(ascii: "t") where matchLiteral("true"): got = "a boolean"
        case UInt8(ascii: "f") where matchLiteral("false"): got = "a boolean"
        case UInt8(ascii: "n") where matchLiteral("null"): got = "null"
        default: return invalidJSON("expected '{'")
        }
        if got != "an array" && got != "a string" {
            let valueEnd = i
            skipWhitespace()
            guard i == b.count else { return invalidJSON("expected '{'", at: valueEnd) }
        }
        return RecordValidationError(code: .notAnObject, field: RecordValidationError.recordField, reason: "must be a JSON object, got \(got)")
    }

    private func invalidJSON(_ message: String, at position: Int? = nil) -> RecordValidationError {
        let column = (position ?? i) + 1
        return RecordValidationError(
            code: .invalidJSON, field: RecordValidationError.recordField,
            reason: "invalid JSON at column \(column): \(message)"
        )
    }

    private func invalidUTF8(at position: Int) -> RecordValidationError {
        invalidJSON("string is not valid UTF-8", at: position)
    }
}

extension JSONValue {
    /// Why a document is not valid JSON, and where (line and column count characters from 1).
    package struct SyntaxError: Error, Equatable {
        package var line: Int
        package var column: Int
        package var message: String
        package var description: String { "line \(line), column \(column): \(message)" }
    }

    /// Deepest nesting a configuration document may have.
    package static let maximumDepth = 64

    /// Parses one strict JSON document (RFC 8259) with the project's ``JSONScanner``:
    /// surrounding whitespace and a UTF-8 byte order mark allowed, duplicate keys rejected,
    /// number literals kept as written.
    package static func parse(_ bytes: [UInt8]) throws(SyntaxError) -> JSONValue {
        let result: Result<JSONValue, SyntaxError> = bytes.withUnsafeBytes { raw in
            var scanner = JSONScanner(bytes: raw)
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { scanner.index = 3 }
            do throws(SyntaxError) {
                scanner.skipWhitespace()
                guard scanner.index < bytes.count else {
                    throw syntaxError(in: bytes, at: scanner.index, "the document is empty")
                }
                let value = try scan(&scanner, in: bytes, depth: 0)
                scanner.skipWhitespace()
                guard scanner.index == bytes.count else {
                    throw syntaxError(
                        in: bytes, at: scanner.index,
                        "unexpected \(describe(bytes, at: scanner.index)) after the end of the document")
                }
                return .success(value)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    private static func scan(_ scanner: inout JSONScanner, in bytes: [UInt8], depth: Int) throws(SyntaxError) -> JSONValue {
        /// Runs one scanner step, turning its error into a ``SyntaxError``.
        func step<T>(_ body: (inout JSONScanner) throws(JSONScanner.ScanError) -> T) throws(SyntaxError) -> T {
            do throws(JSONScanner.ScanError) {
                return try body(&scanner)
            } catch {
                throw syntaxError(in: bytes, error)
            }
        }
        switch try step({ s throws(JSONScanner.ScanError) in try s.peekKind() }) {
        case .string:
            return .string(try step { s throws(JSONScanner.ScanError) in try decodedString(&s, in: bytes) })
        case .number:
            let range = try step { s throws(JSONScanner.ScanError) in try s.scanNumber() }
            return .number(String(decoding: bytes[range], as: UTF8.self))
        case .bool:
            return .bool(try step { s throws(JSONScanner.ScanError) in try s.scanBool() })
        case .null:
            _ = try step { s throws(JSONScanner.ScanError) in try s.scanLiteral() }
            return .null
        case .array:
            guard depth < maximumDepth else {
                throw syntaxError(in: bytes, at: scanner.index, "nesting deeper than \(maximumDepth) levels")
            }
            scanner.index += 1
            var elements: [JSONValue] = []
            while try step({ [first = elements.isEmpty] s throws(JSONScanner.ScanError) in try s.nextArrayElement(first: first) }) {
                elements.append(try scan(&scanner, in: bytes, depth: depth + 1))
            }
            return .array(elements)
        case .object:
            guard depth < maximumDepth else {
                throw syntaxError(in: bytes, at: scanner.index, "nesting deeper than \(maximumDepth) levels")
            }
            scanner.index += 1
            var members: [Member] = []
            var seen: Set<String> = []
            while true {
                scanner.skipWhitespace()
                let keyStart = scanner.index
                let first = members.isEmpty
                guard
                    let name = try step({ s throws(JSONScanner.ScanError) -> String? in
                        guard let key = try s.nextObjectKey(first: first) else { return nil }
                        return try decode(key, in: bytes, scanner: s)
                    })
                else { break }
                guard seen.insert(name).inserted else {
                    // Point at the key itself, not at the comma before it.
                    var at = keyStart
                    while at < bytes.count && bytes[at] != UInt8(ascii: "\"") { at += 1 }
                    throw syntaxError(in: bytes, at: at, "duplicate key \(JSONWriter.quoted(name))")
                }
                members.append(Member(key: name, value: try scan(&scanner, in: bytes, depth: depth + 1)))
            }
            return .object(members)
        }
    }

    private static func decodedString(_ scanner: inout JSONScanner, in bytes: [UInt8]) throws(JSONScanner.ScanError) -> String {
        let raw = try scanner.scanString()
        return try decode(raw, in: bytes, scanner: scanner)
    }

    /// Decodes a scanned string, rejecting bytes that are not UTF-8.
    private static func decode(
        _ raw: (range: Range<Int>, hasEscapes: Bool), in bytes: [UInt8], scanner: JSONScanner
    ) throws(JSONScanner.ScanError) -> String {
        guard String(validating: bytes[raw.range], as: UTF8.self) != nil else {
            throw .malformed(offset: raw.range.lowerBound, reason: JSONScanner.Reason.invalidUTF8)
        }
        return scanner.decodeString(raw.range, hasEscapes: raw.hasEscapes)
    }

    private static func syntaxError(in bytes: [UInt8], _ error: JSONScanner.ScanError) -> SyntaxError {
        switch error {
        case .truncated(let offset):
            return syntaxError(in: bytes, at: offset, "unexpected end of input")
        case .malformed(let offset, let reason):
            if reason.hasPrefix("string is") { return syntaxError(in: bytes, at: offset, reason) }
            let expectation = reason == "unexpected character" || reason == "bad literal" ? "expected a value" : reason
            return syntaxError(in: bytes, at: offset, "unexpected \(describe(bytes, at: offset)), \(expectation)")
        }
    }

    private static func syntaxError(in bytes: [UInt8], at offset: Int, _ message: String) -> SyntaxError {
        var line = 1
        var column = 1
        for b in bytes[..<min(offset, bytes.count)] {
            if b == 0x0A {
                line += 1
                column = 1
            } else if b & 0xC0 != 0x80 {  // count characters, not UTF-8 continuation bytes
                column += 1
            }
        }
        return SyntaxError(line: line, column: column, message: message)
    }

    private static func describe(_ bytes: [UInt8], at offset: Int) -> String {
        guard offset < bytes.count else { return "end of input" }
        let b = bytes[offset]
        if b >= 0x21 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
        if b == 0x20 { return "space" }
        return "byte 0x" + String(b, radix: 16)
    }
}

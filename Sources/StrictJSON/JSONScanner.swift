/// A small validating JSON scanner over raw bytes.
///
/// It does not build a document tree: callers walk the top-level object key by key,
/// decode only the values they care about and skip (while validating) the rest. Skipping
/// a value yields its exact byte range, so a value can be handed on verbatim without being
/// re-encoded. Shared by the response parser, the simulator's request parser and the configuration file reader.
///
/// The scanner borrows the bytes: it must not outlive the `withUnsafeBytes` closure that
/// produced `bytes`.
package struct JSONScanner {
    /// Why scanning stopped.
    package enum ScanError: Error, Sendable, Equatable {
        /// The input ended in the middle of a value.
        case truncated(offset: Int)
        /// The input is not valid JSON at `offset`.
        case malformed(offset: Int, reason: String)
    }

    /// The `reason`s of ``ScanError/malformed(offset:reason:)`` that callers tell apart.
    package enum Reason {
        /// A backslash followed by a character that is not a JSON escape; the offset is that character's.
        package static let badEscape = "bad escape"
        /// `\u` not followed by four hex digits; the offset is the first bad digit's.
        package static let badUnicodeEscape = "bad \\u escape"
        /// A byte below 0x20 inside a string; the offset is that byte's.
        package static let controlCharacter = "control character in string"
        /// A string whose bytes are not UTF-8; the offset is the start of its content.
        package static let invalidUTF8 = "string is not valid UTF-8"
        /// A `\u` escape of half a UTF-16 surrogate pair without the other half.
        package static let unpairedSurrogate = "unpaired UTF-16 surrogate in string"
    }

    /// The kind of value that starts at the current position.
    package enum ValueKind: Sendable, Equatable {
        case object, array, string, number, bool, null
    }

    /// Maximum nesting of arrays and objects accepted before the input is rejected.
    package static let maximumDepth = 512

    package let bytes: UnsafeRawBufferPointer
    /// Offset of the next unread byte.
    package var index: Int

    package init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        self.index = 0
    }

    @inline(__always)
    var isAtEnd: Bool { self.index >= self.bytes.count }

    @inline(__always)
    package mutating func skipWhitespace() {
        while self.index < self.bytes.count {
            switch self.bytes[self.index] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
                self.index &+= 1
            default:
                return
            }
        }
    }

    /// The next non-whitespace byte, without consuming it.
    @inline(__always)
    package mutating func peekByte() throws(ScanError) -> UInt8 {
        self.skipWhitespace()
        guard self.index < self.bytes.count else { throw .truncated(offset: self.index) }
        return self.bytes[self.index]
    }

    /// Consumes `byte` (after whitespace) or fails.
    @inline(__always)
    package mutating func expect(_ byte: UInt8) throws(ScanError) {
        let next = try self.peekByte()
        guard next == byte else {
            throw .malformed(offset: self.index, reason: "expected '\(Character(Unicode.Scalar(byte)))'")
        }
        self.index &+= 1
    }

    /// The kind of the value at the current position (after whitespace).
    package mutating func peekKind() throws(ScanError) -> ValueKind {
        switch try self.peekByte() {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        default: throw .malformed(offset: self.index, reason: "unexpected character")
        }
    }

    /// After the opening `{` (or a `,`): reads the next key, or returns nil at the closing `}`.
    ///
    /// - Parameter first: true right after `{`, where `}` is allowed immediately.
    /// - Returns: the raw byte range of the key (between its quotes) and whether it contains escapes.
    package mutating func nextObjectKey(first: Bool) throws(ScanError) -> (range: Range<Int>, hasEscapes: Bool)? {
        var next = try self.peekByte()
        if !first {
            if next == UInt8(ascii: "}") {
                self.index &+= 1
                return nil
            }
            guard next == UInt8(ascii: ",") else {
                throw .malformed(offset: self.index, reason: "expected ',' or '}' in object")
            }
            self.index &+= 1
            next = try self.peekByte()
        } else if next == UInt8(ascii: "}") {
            self.index &+= 1
            return nil
        }
        guard next == UInt8(ascii: "\"") else {
            throw .malformed(offset: self.index, reason: "expected a string key")
        }
        let key = try self.scanString()
        try self.expect(UInt8(ascii: ":"))
        return key
    }

    /// Scans a string at the current position; returns the raw content range (without quotes).
    ///
    /// When the input ends inside the string (``ScanError/truncated(offset:)``), `index` is
    /// left at the backslash of the escape it ended in, if any, else at the end.
    package mutating func scanString() throws(ScanError) -> (range: Range<Int>, hasEscapes: Bool) {
        try self.expect(UInt8(ascii: "\""))
        let start = self.index
        var hasEscapes = false
        let count = self.bytes.count
        var i = self.index
        while i < count {
            let byte = self.bytes[i]
            if byte == UInt8(ascii: "\"") {
                self.index = i &+ 1
                return (start..<i, hasEscapes)
            }
            if byte == UInt8(ascii: "\\") {
                hasEscapes = true
                let escape = i
                i &+= 1
                guard i < count else {
                    self.index = escape
                    throw .truncated(offset: count)
                }
                switch self.bytes[i] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                    UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    i &+= 1
                case UInt8(ascii: "u"):
                    guard i &+ 4 < count else {
                        self.index = escape
                        throw .truncated(offset: count)
                    }
                    for k in 1...4 where Self.hexValue(self.bytes[i &+ k]) == nil {
                        throw .malformed(offset: i &+ k, reason: Reason.badUnicodeEscape)
                    }
                    i &+= 5
                default:
                    throw .malformed(offset: i, reason: Reason.badEscape)
                }
                continue
            }
            if byte < 0x20 {
                throw .malformed(offset: i, reason: Reason.controlCharacter)
            }
            i &+= 1
        }
        self.index = count
        throw .truncated(offset: count)
    }

    /// Scans `true`, `false` or `null`.
    package mutating func scanLiteral() throws(ScanError) -> ValueKind {
        let first = try self.peekByte()
        let word: StaticString
        let kind: ValueKind
        switch first {
        case UInt8(ascii: "t"):
            word = "true"
            kind = .bool
        case UInt8(ascii: "f"):
            word = "false"
            kind = .bool
        case UInt8(ascii: "n"):
            word = "null"
            kind = .null
        default: throw .malformed(offset: self.index, reason: "unexpected character")
        }
        let length = word.utf8CodeUnitCount
        let pointer = word.utf8Start
        for k in 0..<length {
            let position = self.index &+ k
            guard position < self.bytes.count else { throw .truncated(offset: position) }
            guard self.bytes[position] == pointer[k] else {
                throw .malformed(offset: position, reason: "bad literal")
            }
        }
        self.index &+= length
        return kind
    }

    /// Consumes `word` when it is at the current position (no whitespace skipped) and is not
    /// followed by a letter or digit; otherwise leaves the position and returns false.
    ///
    /// For callers that recognise words JSON does not have (`NaN`, `Infinity`) to say what
    /// they found, or that try a literal before deciding what a value is.
    package mutating func consumeWord(_ word: StaticString) -> Bool {
        let length = word.utf8CodeUnitCount
        guard self.index &+ length <= self.bytes.count else { return false }
        let pointer = word.utf8Start
        for k in 0..<length where self.bytes[self.index &+ k] != pointer[k] {
            return false
        }
        let after = self.index &+ length
        if after < self.bytes.count {
            switch self.bytes[after] {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return false
            default:
                break
            }
        }
        self.index = after
        return true
    }

    /// Reads a boolean literal.
    package mutating func scanBool() throws(ScanError) -> Bool {
        _ = try self.peekByte()
        let start = self.index
        guard try self.scanLiteral() == .bool else {
            throw .malformed(offset: start, reason: "expected a boolean")
        }
        return self.bytes[start] == UInt8(ascii: "t")
    }

    /// Skips (and validates) one value of any kind; returns its byte range.
    @discardableResult
    package mutating func skipValue() throws(ScanError) -> Range<Int> {
        self.skipWhitespace()
        let start = self.index
        if let end = Self.fastSkip(self.bytes, from: start) {
            self.index = end
            return start..<end
        }
        try self.skipValue(depth: 0)
        return start..<self.index
    }

    /// ``skipValue()`` without its fast path: the reference the fast path is tested against.
    package mutating func skipValueRecursively() throws(ScanError) -> Range<Int> {
        self.skipWhitespace()
        let start = self.index
        try self.skipValue(depth: 0)
        return start..<self.index
    }

    private mutating func skipValue(depth: Int) throws(ScanError) {
        guard depth < Self.maximumDepth else {
            throw .malformed(offset: self.index, reason: "nesting too deep")
        }
        switch try self.peekKind() {
        case .string:
            _ = try self.scanString()
        case .number:
            _ = try self.scanNumber()
        case .bool, .null:
            _ = try self.scanLiteral()
        case .object:
            self.index &+= 1
            var first = true
            while try self.nextObjectKey(first: first) != nil {
                first = false
                try self.skipValue(depth: depth &+ 1)
            }
        case .array:
            self.index &+= 1
            var first = true
            while try self.nextArrayElement(first: first) {
                first = false
                try self.skipValue(depth: depth &+ 1)
            }
        }
    }

    /// After the opening `[` (or an element): true when another element follows, false at `]`.
    package mutating func nextArrayElement(first: Bool) throws(ScanError) -> Bool {
        let next = try self.peekByte()
        if next == UInt8(ascii: "]") {
            self.index &+= 1
            return false
        }
        if first { return true }
        guard next == UInt8(ascii: ",") else {
            throw .malformed(offset: self.index, reason: "expected ',' or ']' in array")
        }
        self.index &+= 1
        return true
    }

    /// Requires that only whitespace remains.
    package mutating func expectEnd() throws(ScanError) {
        self.skipWhitespace()
        guard self.index == self.bytes.count else {
            throw .malformed(offset: self.index, reason: "trailing data after the JSON value")
        }
    }

    /// True when the raw bytes at `range` equal `literal` (for unescaped keys).
    @inline(__always)
    package func bytes(in range: Range<Int>, equal literal: StaticString) -> Bool {
        let length = literal.utf8CodeUnitCount
        guard range.count == length else { return false }
        let pointer = literal.utf8Start
        var k = 0
        while k < length {
            if self.bytes[range.lowerBound &+ k] != pointer[k] { return false }
            k &+= 1
        }
        return true
    }
}

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
                i &+= 1
                guard i < count else { break }
                switch self.bytes[i] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                     UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    i &+= 1
                case UInt8(ascii: "u"):
                    guard i &+ 4 < count else { i = count; break }
                    for k in 1...4 where Self.hexValue(self.bytes[i &+ k]) == nil {
                        throw .malformed(offset: i &+ k, reason: "bad \\u escape")
                    }
                    i &+= 5
                default:
                    throw .malformed(offset: i, reason: "bad escape")
                }
                continue
            }
            if byte < 0x20 {
                throw .malformed(offset: i, reason: "control character in string")
            }
            i &+= 1
        }
        self.index = count
        throw .truncated(offset: count)
    }

    /// Scans a number at the current position (JSON grammar); returns its byte range.
    package mutating func scanNumber() throws(ScanError) -> Range<Int> {
        self.skipWhitespace()
        let start = self.index
        let count = self.bytes.count
        var i = start
        @inline(__always) func digits(_ i: inout Int) -> Int {
            let from = i
            while i < count, self.bytes[i] >= UInt8(ascii: "0"), self.bytes[i] <= UInt8(ascii: "9") { i &+= 1 }
            return i &- from
        }
        if i < count, self.bytes[i] == UInt8(ascii: "-") { i &+= 1 }
        guard i < count else { throw .truncated(offset: i) }
        if self.bytes[i] == UInt8(ascii: "0") {
            i &+= 1
        } else if digits(&i) == 0 {
            throw .malformed(offset: i, reason: "expected a digit")
        }
        if i < count, self.bytes[i] == UInt8(ascii: ".") {
            i &+= 1
            if digits(&i) == 0 {
                if i >= count { throw .truncated(offset: i) }
                throw .malformed(offset: i, reason: "expected a digit after '.'")
            }
        }
        if i < count, self.bytes[i] == UInt8(ascii: "e") || self.bytes[i] == UInt8(ascii: "E") {
            i &+= 1
            if i < count, self.bytes[i] == UInt8(ascii: "+") || self.bytes[i] == UInt8(ascii: "-") { i &+= 1 }
            if digits(&i) == 0 {
                if i >= count { throw .truncated(offset: i) }
                throw .malformed(offset: i, reason: "expected a digit in exponent")
            }
        }
        self.index = i
        return start..<i
    }

    /// Scans `true`, `false` or `null`.
    package mutating func scanLiteral() throws(ScanError) -> ValueKind {
        let first = try self.peekByte()
        let word: StaticString
        let kind: ValueKind
        switch first {
        case UInt8(ascii: "t"): word = "true"; kind = .bool
        case UInt8(ascii: "f"): word = "false"; kind = .bool
        case UInt8(ascii: "n"): word = "null"; kind = .null
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

    /// Decodes the string whose raw content is `range` (as returned by ``scanString()``).
    package func decodeString(_ range: Range<Int>, hasEscapes: Bool) -> String {
        let slice = UnsafeRawBufferPointer(rebasing: self.bytes[range])
        guard hasEscapes else {
            return String(decoding: slice, as: UTF8.self)
        }
        var scalars = String.UnicodeScalarView()
        var utf8: [UInt8] = []
        utf8.reserveCapacity(range.count)
        var i = 0
        let count = slice.count
        func flush() {
            if !utf8.isEmpty {
                scalars.append(contentsOf: String(decoding: utf8, as: UTF8.self).unicodeScalars)
                utf8.removeAll(keepingCapacity: true)
            }
        }
        func hex4(_ at: Int) -> UInt32? {
            guard at &+ 4 <= count else { return nil }
            var value: UInt32 = 0
            for k in 0..<4 {
                guard let digit = Self.hexValue(slice[at &+ k]) else { return nil }
                value = value << 4 | UInt32(digit)
            }
            return value
        }
        while i < count {
            let byte = slice[i]
            guard byte == UInt8(ascii: "\\"), i &+ 1 < count else {
                utf8.append(byte)
                i &+= 1
                continue
            }
            let escaped = slice[i &+ 1]
            i &+= 2
            switch escaped {
            case UInt8(ascii: "b"): utf8.append(0x08)
            case UInt8(ascii: "f"): utf8.append(0x0C)
            case UInt8(ascii: "n"): utf8.append(0x0A)
            case UInt8(ascii: "r"): utf8.append(0x0D)
            case UInt8(ascii: "t"): utf8.append(0x09)
            case UInt8(ascii: "u"):
                guard let high = hex4(i) else { continue }
                i &+= 4
                var scalarValue = high
                if (0xD800..<0xDC00).contains(high), i &+ 6 <= count,
                    slice[i] == UInt8(ascii: "\\"), slice[i &+ 1] == UInt8(ascii: "u"),
                    let low = hex4(i &+ 2), (0xDC00..<0xE000).contains(low)
                {
                    scalarValue = 0x10000 &+ ((high &- 0xD800) << 10) &+ (low &- 0xDC00)
                    i &+= 6
                }
                flush()
                scalars.append(Unicode.Scalar(scalarValue) ?? "\u{FFFD}")
            default:
                utf8.append(escaped)
            }
        }
        flush()
        return String(scalars)
    }

    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte &- UInt8(ascii: "a") &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte &- UInt8(ascii: "A") &+ 10
        default: return nil
        }
    }
}

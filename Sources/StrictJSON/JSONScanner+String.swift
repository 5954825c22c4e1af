extension JSONScanner {
    /// Decodes the string whose raw content is `range` (as returned by ``scanString()``),
    /// leniently: bytes that are not UTF-8 and unpaired surrogate escapes become U+FFFD.
    package func decodeString(_ range: Range<Int>, hasEscapes: Bool) -> String {
        (try? self.decode(range, hasEscapes: hasEscapes, strict: false)) ?? ""
    }

    /// Decodes the string whose raw content is `range` (as returned by ``scanString()``),
    /// strictly: bytes that are not UTF-8 (``Reason/invalidUTF8``, at the start of the
    /// content) and unpaired surrogate escapes (``Reason/unpairedSurrogate``, where the
    /// missing half should be) are rejected.
    package func decodeValidString(_ range: Range<Int>, hasEscapes: Bool) throws(ScanError) -> String {
        try self.decode(range, hasEscapes: hasEscapes, strict: true)
    }

    @inline(__always)
    private func decode(_ range: Range<Int>, hasEscapes: Bool, strict: Bool) throws(ScanError) -> String {
        guard hasEscapes else {
            let slice = UnsafeRawBufferPointer(rebasing: self.bytes[range])
            guard strict else { return String(decoding: slice, as: UTF8.self) }
            guard let string = String(validating: slice, as: UTF8.self) else {
                throw .malformed(offset: range.lowerBound, reason: Reason.invalidUTF8)
            }
            return string
        }
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        let end = range.upperBound
        var j = range.lowerBound
        while j < end {
            let byte = self.bytes[j]
            guard byte == UInt8(ascii: "\\"), j &+ 1 < end else {
                out.append(byte)
                j &+= 1
                continue
            }
            let escaped = self.bytes[j &+ 1]
            j &+= 2
            switch escaped {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard let high = self.hex4(at: j, end: end) else { continue }
                j &+= 4
                var scalar = high
                if (0xD800..<0xDC00).contains(high) {
                    if j &+ 6 <= end, self.bytes[j] == UInt8(ascii: "\\"), self.bytes[j &+ 1] == UInt8(ascii: "u"),
                        let low = self.hex4(at: j &+ 2, end: end), (0xDC00..<0xE000).contains(low)
                    {
                        scalar = 0x10000 &+ ((high &- 0xD800) << 10) &+ (low &- 0xDC00)
                        j &+= 6
                    } else if strict {
                        throw .malformed(offset: j, reason: Reason.unpairedSurrogate)
                    } else {
                        scalar = 0xFFFD
                    }
                } else if (0xDC00..<0xE000).contains(high) {
                    if strict { throw .malformed(offset: j &- 6, reason: Reason.unpairedSurrogate) }
                    scalar = 0xFFFD
                }
                UTF8.encode(Unicode.Scalar(scalar) ?? "\u{FFFD}") { out.append($0) }
            default:
                out.append(escaped)  // \" \\ \/
            }
        }
        guard strict else { return String(decoding: out, as: UTF8.self) }
        guard let string = String(validating: out, as: UTF8.self) else {
            throw .malformed(offset: range.lowerBound, reason: Reason.invalidUTF8)
        }
        return string
    }

    /// The value of the four hex digits at `at`, or nil.
    private func hex4(at: Int, end: Int) -> UInt32? {
        guard at &+ 4 <= end else { return nil }
        var value: UInt32 = 0
        for k in 0..<4 {
            guard let digit = Self.hexValue(self.bytes[at &+ k]) else { return nil }
            value = value << 4 | UInt32(digit)
        }
        return value
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

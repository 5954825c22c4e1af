extension JSONScanner {
    /// Scans a number at the current position (JSON grammar); returns its byte range.
    package mutating func scanNumber() throws(ScanError) -> Range<Int> {
        try self.scanNumber(computingValue: false).range
    }

    /// Scans a number at the current position (JSON grammar) and returns its byte range and
    /// its value, correctly rounded (infinite when it overflows `Double`).
    package mutating func scanDouble() throws(ScanError) -> (range: Range<Int>, value: Double) {
        try self.scanNumber(computingValue: true)
    }

    /// The value of `bytes` when they are exactly one JSON number (no whitespace), else nil.
    package static func double(exactly bytes: UnsafeRawBufferPointer) -> Double? {
        guard let first = bytes.first, first == UInt8(ascii: "-") || first &- UInt8(ascii: "0") < 10 else { return nil }
        var scanner = JSONScanner(bytes: bytes)
        guard let number = try? scanner.scanDouble(), scanner.index == bytes.count else { return nil }
        return number.value
    }

    private static let powersOf10: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// The number grammar, once; when `computingValue`, the value is accumulated in the same
    /// pass (the constant argument lets the compiler drop that work for ``scanNumber()``).
    @inline(__always)
    private mutating func scanNumber(computingValue: Bool) throws(ScanError) -> (range: Range<Int>, value: Double) {
        self.skipWhitespace()
        let start = self.index
        let count = self.bytes.count
        var i = start
        var negative = false
        var mantissa: UInt64 = 0
        var significant = 0  // digits accumulated into mantissa (after leading zeros)
        var dropped = 0  // integer digits that did not fit
        var inexact = false
        var exponent = 0
        @inline(__always) func digit(at i: Int) -> UInt8? {
            guard i < count else { return nil }
            let d = self.bytes[i] &- UInt8(ascii: "0")
            return d < 10 ? d : nil
        }

        if i < count, self.bytes[i] == UInt8(ascii: "-") {
            negative = true
            i &+= 1
        }
        guard i < count else { throw .truncated(offset: i) }
        if self.bytes[i] == UInt8(ascii: "0") {
            i &+= 1
        } else {
            let from = i
            while let d = digit(at: i) {
                if computingValue {
                    if significant < 19 {
                        mantissa = mantissa &* 10 &+ UInt64(d)
                        significant &+= 1
                    } else {
                        dropped &+= 1
                    }
                }
                i &+= 1
            }
            if i == from { throw .malformed(offset: i, reason: "expected a digit") }
        }
        if i < count, self.bytes[i] == UInt8(ascii: ".") {
            i &+= 1
            let from = i
            while let d = digit(at: i) {
                if computingValue {
                    if mantissa == 0 && d == 0 {
                        exponent &-= 1
                    } else if significant < 19 {
                        mantissa = mantissa &* 10 &+ UInt64(d)
                        significant &+= 1
                        exponent &-= 1
                    } else {
                        inexact = true
                    }
                }
                i &+= 1
            }
            if i == from {
                if i >= count { throw .truncated(offset: i) }
                throw .malformed(offset: i, reason: "expected a digit after '.'")
            }
        }
        if i < count, self.bytes[i] == UInt8(ascii: "e") || self.bytes[i] == UInt8(ascii: "E") {
            i &+= 1
            var exponentNegative = false
            if i < count, self.bytes[i] == UInt8(ascii: "+") || self.bytes[i] == UInt8(ascii: "-") {
                exponentNegative = self.bytes[i] == UInt8(ascii: "-")
                i &+= 1
            }
            let from = i
            var e = 0
            while let d = digit(at: i) {
                if computingValue, e < 100_000 { e = e &* 10 &+ Int(d) }
                i &+= 1
            }
            if i == from {
                if i >= count { throw .truncated(offset: i) }
                throw .malformed(offset: i, reason: "expected a digit in exponent")
            }
            exponent &+= exponentNegative ? -e : e
        }
        self.index = i
        guard computingValue else { return (start..<i, 0) }

        let e10 = exponent &+ dropped
        var value: Double
        if dropped == 0 && !inexact && mantissa < (1 << 53) && abs(e10) <= 22 {
            // Clinger's fast path: both operands exact, so one IEEE operation rounds correctly.
            value = Double(mantissa)
            value = e10 >= 0 ? value * Self.powersOf10[e10] : value / Self.powersOf10[-e10]
        } else if mantissa == 0 {
            value = 0
        } else {
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: self.bytes[start..<i]), as: UTF8.self)
            guard let parsed = Double(text) else {
                throw .malformed(offset: start, reason: "number out of range")
            }
            return (start..<i, parsed)
        }
        if negative { value = -value }
        return (start..<i, value)
    }
}

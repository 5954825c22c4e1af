/// The hot path of ``JSONScanner/skipValue()``: one loop over the bytes, with no call per
/// token, an explicit container stack and strings skipped eight bytes at a time.
///
/// It accepts exactly what the recursive scanner accepts. It only answers "valid, ends
/// here" or "not sure": on anything unusual (an error, nesting deeper than 64, the end of the
/// input) it gives up, and the recursive scanner rescans the value from its start, so errors
/// (kind, offset, reason) stay those of the recursive scanner. A CardGenius answer (~35 KB,
/// ~3,000 tokens) is validated several times faster this way (BENCHMARKS.md, section 0a).
extension JSONScanner {
    /// The offset just past the value that starts at `start` (after whitespace), or nil
    /// when the fast path is not sure (see the notes above).
    package static func fastSkip(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        var skipper = FastSkipper(base: base, count: bytes.count, i: start)
        return skipper.value() ? skipper.i : nil
    }
}

/// The fast path's state: a position in the bytes. Its methods are plain mutating methods
/// (not closures over local variables, whose every access the runtime would check for
/// exclusivity) so that the loop compiles to loads, compares and branches.
private struct FastSkipper {
    let base: UnsafePointer<UInt8>
    let count: Int
    var i: Int

    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    @inline(__always) mutating func skipSpace() {
        while i < count {
            let c = base[i]
            guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
            i &+= 1
        }
    }

    /// Moves past the string whose opening quote is at `i`.
    @inline(__always) mutating func string() -> Bool {
        i &+= 1
        while true {
            while i &+ 8 <= count {
                let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                let quote = w ^ (Self.ones &* 0x22)
                let backslash = w ^ (Self.ones &* 0x5C)
                let special =
                    ((quote &- Self.ones) & ~quote) | ((backslash &- Self.ones) & ~backslash)
                    | ((w &- Self.ones &* 0x20) & ~w)
                let found = special & Self.highs
                if found == 0 {
                    i &+= 8
                    continue
                }
                i &+= found.trailingZeroBitCount &>> 3
                break
            }
            guard i < count else { return false }
            let c = base[i]
            if c == 0x22 {
                i &+= 1
                return true
            }
            if c == 0x5C {
                guard i &+ 1 < count else { return false }
                switch base[i &+ 1] {
                case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74:
                    i &+= 2
                case 0x75:
                    guard i &+ 5 < count else { return false }
                    for k in 2...5 where JSONScanner.hexValue(base[i &+ k]) == nil { return false }
                    i &+= 6
                default:
                    return false
                }
                continue
            }
            if c < 0x20 { return false }
            i &+= 1
        }
    }

    @inline(__always) mutating func digits() -> Int {
        let from = i
        while i < count, base[i] &- 0x30 < 10 { i &+= 1 }
        return i &- from
    }

    /// Moves past the number that starts at `i` (JSON grammar).
    @inline(__always) mutating func number() -> Bool {
        if base[i] == 0x2D { i &+= 1 }
        guard i < count else { return false }
        if base[i] == 0x30 {
            i &+= 1
        } else if digits() == 0 {
            return false
        }
        if i < count, base[i] == 0x2E {
            i &+= 1
            guard digits() > 0 else { return false }
        }
        if i < count, base[i] | 0x20 == 0x65 {
            i &+= 1
            if i < count, base[i] == 0x2B || base[i] == 0x2D { i &+= 1 }
            guard digits() > 0 else { return false }
        }
        // A number must not run into the end of the input: the recursive scanner tells a
        // truncated one from a complete one.
        return i < count
    }

    @inline(__always) mutating func literal(_ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard i &+ n <= count else { return false }
        let w = word.utf8Start
        for k in 0..<n where base[i &+ k] != w[k] { return false }
        i &+= n
        return true
    }

    /// A key, the colon after it; `i` at the key's quote.
    @inline(__always) mutating func key() -> Bool {
        guard i < count, base[i] == 0x22, string() else { return false }
        skipSpace()
        guard i < count, base[i] == 0x3A else { return false }
        i &+= 1
        return true
    }

    /// Moves past one value; false when not sure.
    mutating func value() -> Bool {
        // One bit per open container: 1 = object, 0 = array (innermost in bit depth-1).
        var stack: UInt64 = 0
        var depth = 0
        value: while true {
            skipSpace()
            guard i < count else { return false }
            switch base[i] {
            case 0x22:
                guard string() else { return false }
            case 0x7B:  // {
                guard depth < 64 else { return false }
                stack |= 1 << depth
                depth &+= 1
                i &+= 1
                skipSpace()
                guard i < count else { return false }
                if base[i] == 0x7D {
                    i &+= 1
                    depth &-= 1
                    stack &= ~(1 << depth)
                } else {
                    guard key() else { return false }
                    continue value
                }
            case 0x5B:  // [
                guard depth < 64 else { return false }
                stack &= ~(1 << depth)
                depth &+= 1
                i &+= 1
                skipSpace()
                guard i < count else { return false }
                if base[i] == 0x5D {
                    i &+= 1
                    depth &-= 1
                } else {
                    continue value
                }
            case 0x74:
                guard literal("true") else { return false }
            case 0x66:
                guard literal("false") else { return false }
            case 0x6E:
                guard literal("null") else { return false }
            case 0x2D, 0x30...0x39:
                guard number() else { return false }
            default:
                return false
            }
            // After a value: separators and closing brackets until the next value.
            while depth > 0 {
                skipSpace()
                guard i < count else { return false }
                let c = base[i]
                let inObject = stack & (1 << (depth &- 1)) != 0
                if c == 0x2C {
                    i &+= 1
                    if inObject {
                        skipSpace()
                        guard key() else { return false }
                    }
                    continue value
                }
                guard c == (inObject ? 0x7D : 0x5D) else { return false }
                i &+= 1
                depth &-= 1
                stack &= ~(1 << depth)
            }
            return true
        }
    }
}

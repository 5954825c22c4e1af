import StrictJSON
import Testing

/// `JSONScanner.skipValue()`'s fast path accepts exactly what the recursive scanner accepts,
/// ends where it ends, and on everything else leaves the verdict (and the error) to it.
@Suite struct JSONFastSkipTests {
    /// Every construct: nesting, escapes (\u, \\, \"), non-ASCII, numbers in every form,
    /// literals, empty containers, whitespace everywhere, strings longer than eight bytes.
    static let document =
        #" { "success" : true, "message":"ok \"quoted\" \\ back\/slash \u00e9\n","savings":[ {"id":1605,"card_name":"YES Bank Millennia Platinum Credit Card","fees":"2999","neg":-0.25,"exp":1.5e+10,"e2":2E-3,"zero":0,"list":[ ],"obj":{},"nested":[[1,[2,{"a":[null,false]}]],{"b":"Ünïcode ✓ and a long string of 8-byte words"}]} , {"x" :[true ,false, null]}],"t":"\t"} "#

    static func recursive(_ bytes: [UInt8]) -> Result<Range<Int>, JSONScanner.ScanError> {
        bytes.withUnsafeBytes { raw in
            var scanner = JSONScanner(bytes: raw)
            return Result { () throws(JSONScanner.ScanError) in try scanner.skipValueRecursively() }
        }
    }

    static func fast(_ bytes: [UInt8]) -> Result<Range<Int>, JSONScanner.ScanError> {
        bytes.withUnsafeBytes { raw in
            var scanner = JSONScanner(bytes: raw)
            return Result { () throws(JSONScanner.ScanError) in try scanner.skipValue() }
        }
    }

    @Test("a valid document: the same range, and the fast path alone decides it")
    func valid() throws {
        let bytes = Array(Self.document.utf8)
        #expect(Self.fast(bytes) == Self.recursive(bytes))
        #expect(bytes.withUnsafeBytes { JSONScanner.fastSkip($0, from: 1) } == bytes.count - 1)
    }

    @Test("every truncation and every one-byte change: the same range or the same error")
    func mutations() {
        let bytes = Array(Self.document.utf8)
        var checked = 0
        for end in 0...bytes.count {
            let prefix = Array(bytes[..<end])
            #expect(Self.fast(prefix) == Self.recursive(prefix), "truncated at \(end)")
            checked += 1
        }
        let replacements: [UInt8] = [0x22, 0x5C, 0x2C, 0x3A, 0x7D, 0x5D, 0x7B, 0x5B, 0x30, 0x2D, 0x2E, 0x65, 0x78, 0x01, 0x20, 0x75, 0x7F, 0xC3]
        for position in bytes.indices {
            for byte in replacements where bytes[position] != byte {
                var changed = bytes
                changed[position] = byte
                let (f, r) = (Self.fast(changed), Self.recursive(changed))
                #expect(f == r, "byte \(position) set to \(byte)")
                checked += 1
            }
        }
        #expect(checked > 4_000)
    }

    @Test("nesting deeper than the fast path's 64 levels and past the scanner's limit")
    func deep() {
        for depth in [63, 64, 65, 511, 512, 513] {
            let bytes = Array((String(repeating: "[", count: depth) + "1" + String(repeating: "]", count: depth)).utf8)
            #expect(Self.fast(bytes) == Self.recursive(bytes), "depth \(depth)")
        }
    }
}

/// Byte-level helpers for writing JSON without an encoder.
///
/// Used on the hot paths: request bodies, canonical input records, the recommendations the
/// member publishes and, in the simulator, response bodies. (Operations and CLI output use Foundation's `JSONEncoder`; the
/// configuration file is rendered from its own `JSONValue` tree.)
package enum JSONWriter {
    /// Appends `value` as a JSON number: integral values without a fraction (`1500`, not
    /// `1500.0`), others in Swift's shortest round-trip form. Non-finite values, which JSON
    /// cannot represent, are written as `0`.
    package static func appendNumber(_ value: Double, to out: inout [UInt8]) {
        guard value.isFinite else {
            out.append(UInt8(ascii: "0"))
            return
        }
        if value.rounded(.towardZero) == value, abs(value) < 9_007_199_254_740_992 {
            appendInteger(Int64(value), to: &out)
        } else {
            out.append(contentsOf: value.description.utf8)
        }
    }

    /// Appends the decimal digits of `value`.
    package static func appendInteger(_ value: Int64, to out: inout [UInt8]) {
        if value == 0 {
            out.append(UInt8(ascii: "0"))
            return
        }
        var magnitude = value.magnitude
        if value < 0 { out.append(UInt8(ascii: "-")) }
        // 20 digits hold any UInt64.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var position = 20
            while magnitude > 0 {
                position -= 1
                digits[position] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: digits[position..<20]))
        }
    }

    /// Appends `string` as a JSON string literal, escaping as required: `"`, `\\`, `\n`,
    /// `\r`, `\t` by name, other control characters as `\u00XX`. The one escaper of the
    /// project: the hot paths call it as it is; messages (``quoted(_:limit:)``) also escape
    /// DEL and the C1 controls and cut long values to `limit` characters (`"abc..."`).
    package static func appendString(
        _ string: String, to out: inout [UInt8], limit: Int = .max, escapingDeleteAndC1: Bool = false
    ) {
        out.append(UInt8(ascii: "\""))
        var characters = 0
        var pendingC2 = false  // a 0xC2 lead byte held back until we know whether it starts a C1 control
        for byte in string.utf8 {
            if pendingC2 {
                pendingC2 = false
                if byte < 0xA0 {  // U+0080...U+009F
                    appendUnicodeEscape(byte, to: &out)
                    continue
                }
                out.append(0xC2)
            }
            if byte & 0xC0 != 0x80 {  // the first byte of a character (Unicode scalar)
                if characters == limit {
                    out.append(contentsOf: "...".utf8)
                    break
                }
                characters &+= 1
            }
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\n"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case UInt8(ascii: "\t"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20: appendUnicodeEscape(byte, to: &out)
            case 0x7F where escapingDeleteAndC1: appendUnicodeEscape(byte, to: &out)
            case 0xC2 where escapingDeleteAndC1: pendingC2 = true
            default: out.append(byte)
            }
        }
        if pendingC2 { out.append(0xC2) }
        out.append(UInt8(ascii: "\""))
    }

    /// `s` as a JSON string literal for a message, cut to about `limit` characters, with
    /// every control character escaped (see ``appendString(_:to:limit:escapingDeleteAndC1:)``).
    package static func quoted(_ s: String, limit: Int = .max) -> String {
        var out: [UInt8] = []
        appendString(s, to: &out, limit: limit, escapingDeleteAndC1: true)
        return String(decoding: out, as: UTF8.self)
    }

    private static func appendUnicodeEscape(_ byte: UInt8, to out: inout [UInt8]) {
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        out.append(contentsOf: [
            UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
            hex[Int(byte >> 4)], hex[Int(byte & 0xF)],
        ])
    }
}

/// A parsed JSON document, as the settings loader sees it.
///
/// Numbers keep their literal text so that the loader can tell `20` from `20.5`
/// and report exactly what the file said. Object members keep their order.
enum JSONValue: Equatable, Sendable {
    /// One `"key": value` pair of an object.
    struct Member: Equatable, Sendable {
        var key: String
        var value: JSONValue
    }

    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([Member])

    /// A short description of the value for error messages: `string "twenty"`, `number 20.5`, `true`, `null`, `an array`.
    var errorDescription: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let literal): return "number \(literal)"
        case .string(let s): return "string \(JSONValue.quoted(s, limit: 60))"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// `s` as a JSON string literal, shortened to about `limit` characters.
    static func quoted(_ s: String, limit: Int = .max) -> String {
        var out = "\""
        var count = 0
        for scalar in s.unicodeScalars {
            if count >= limit {
                out += "..."
                break
            }
            count += 1
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
        return out
    }
}

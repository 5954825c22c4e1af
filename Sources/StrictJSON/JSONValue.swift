/// Any JSON value: the configuration file as the settings loader reads it (``parse(_:)``,
/// strict, with line and column in errors), and the documents of unfixed shape that
/// operations and CLI output decode with Foundation's `JSONDecoder` (a record value `tail`
/// prints inline, the fields `export` copies to CSV).
///
/// Numbers keep their literal text, so that the loader can tell `20` from `20.5` and
/// report exactly what the file said. Parsed objects keep their members in document order
/// (the first problem in a file is the first in reading order); decoded ones have them
/// sorted by key, as a `Decoder` has no order to give.
package enum JSONValue: Sendable, Hashable {
    /// One `"key": value` pair of an object.
    package struct Member: Sendable, Hashable {
        package var key: String
        package var value: JSONValue

        package init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([Member])

    /// A short description of the value for error messages: `string "twenty"`, `number 20.5`, `true`, `null`, `an array`.
    package var errorDescription: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let literal): return "number \(literal)"
        case .string(let s): return "string \(JSONWriter.quoted(s, limit: 60))"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// The member `key` of an object (nil for other values and absent members).
    package subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// The number as a `Double`; nil for other values.
    package var numberValue: Double? {
        guard case .number(let literal) = self else { return nil }
        return Double(literal)
    }
}

extension JSONValue: Codable {
    package init(from decoder: any Decoder) throws {
        // A decoder cannot be asked what it holds: try the kinds, the most frequent in the
        // project's records (numbers, then strings) first, as every miss costs a thrown error.
        // Integers that fit `Int64` stay integers; other numbers are `Double`s.
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Int64.self) {
            self = .number(String(value))
        } else if let value = try? container.decode(Double.self) {
            self = .number("\(value)")
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode([String: JSONValue].self) {
            self = .object(value.sorted { $0.key < $1.key }.map { Member(key: $0.key, value: $0.value) })
        } else {
            self = .array(try container.decode([JSONValue].self))
        }
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let literal):
            if let value = Int64(literal) {
                try container.encode(value)
            } else {
                try container.encode(Double(literal) ?? 0)
            }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let members):
            try container.encode(Dictionary(members.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last }))
        }
    }
}

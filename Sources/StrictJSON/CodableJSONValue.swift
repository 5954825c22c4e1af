/// Any JSON value, as Foundation's `JSONDecoder` reads it and `JSONEncoder` writes it back:
/// for the places where speed does not matter (operations, CLI output) and a document's
/// shape is not fixed, such as a record value that `tail` prints inline or the fields
/// `export` copies to CSV.
///
/// Integers that fit `Int64` stay integers; other numbers are `Double`s. Object members
/// are unordered (encode with `.sortedKeys` for a stable output).
package enum CodableJSONValue: Codable, Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([CodableJSONValue])
    case object([String: CodableJSONValue])

    package init(from decoder: any Decoder) throws {
        // A decoder cannot be asked what it holds: try the kinds, the most frequent in the
        // project's records (numbers, then strings) first, as every miss costs a thrown error.
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Int64.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode([String: CodableJSONValue].self) {
            self = .object(value)
        } else {
            self = .array(try container.decode([CodableJSONValue].self))
        }
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// The member `key` of an object (nil for other values and absent members).
    package subscript(key: String) -> CodableJSONValue? {
        guard case .object(let members) = self else { return nil }
        return members[key]
    }

    /// The number as a `Double`; nil for other values.
    package var numberValue: Double? {
        switch self {
        case .int(let value): return Double(value)
        case .double(let value): return value
        default: return nil
        }
    }
}

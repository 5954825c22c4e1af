import CardGenius
import StrictJSON

/// Validates a request body the way the real API does and extracts the spends.
///
/// The body must be a JSON object. Every known spend field, when present, must be a finite,
/// non-negative number; missing fields are 0. `selected_card_id` may be null, a number or a
/// string. Unknown members are ignored.
struct SpendRequestParser: Sendable {
    /// Why a request was rejected: `"<field>: <why>"`.
    struct Rejection: Error, Equatable {
        var message: String
    }

    /// The spends indexed by field ordinal (`SpendSchema.count` long).
    func parse(_ body: UnsafeRawBufferPointer) throws(Rejection) -> [Double] {
        var spends = [Double](repeating: 0, count: SpendSchema.count)
        var scanner = JSONScanner(bytes: body)
        do {
            guard try scanner.peekKind() == .object else {
                throw Rejection(message: "body: expected a JSON object")
            }
            scanner.index += 1
            var first = true
            while let key = try scanner.nextObjectKey(first: first) {
                first = false
                let name = scanner.decodeString(key.range, hasEscapes: key.hasEscapes)
                guard let ordinal = SpendSchema.ordinalByName[name] else {
                    if name == "selected_card_id" {
                        switch try scanner.peekKind() {
                        case .null, .number, .string:
                            try scanner.skipValue()
                        case let kind:
                            try scanner.skipValue()
                            throw Rejection(message: "selected_card_id: must be null, a number or a string, got \(kind)")
                        }
                    } else {
                        try scanner.skipValue()
                    }
                    continue
                }
                let kind = try scanner.peekKind()
                guard kind == .number else {
                    try scanner.skipValue()
                    throw Rejection(message: "\(name): must be a number, got \(Self.describe(kind))")
                }
                let range = try scanner.scanNumber()
                guard let value = Self.number(UnsafeRawBufferPointer(rebasing: body[range])), value.isFinite else {
                    throw Rejection(message: "\(name): must be a finite number")
                }
                guard value >= 0 else {
                    throw Rejection(message: "\(name): must not be negative, got \(value)")
                }
                spends[ordinal] = value
            }
            try scanner.expectEnd()
        } catch let rejection as Rejection {
            throw rejection
        } catch {
            throw Rejection(message: "body: not valid JSON (\(error))")
        }
        return spends
    }

    static func describe(_ kind: JSONScanner.ValueKind) -> String {
        switch kind {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        }
    }

    /// Parses a JSON number already validated by the scanner; plain integers take a fast path.
    static func number(_ bytes: UnsafeRawBufferPointer) -> Double? {
        var value: Int64 = 0
        var negative = false
        var index = 0
        if bytes.first == UInt8(ascii: "-") {
            negative = true
            index = 1
        }
        var isPlainInteger = bytes.count - index <= 15 && index < bytes.count
        while isPlainInteger, index < bytes.count {
            let byte = bytes[index]
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else {
                isPlainInteger = false
                break
            }
            value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            index += 1
        }
        if isPlainInteger {
            return negative ? -Double(value) : Double(value)
        }
        return Double(String(decoding: bytes, as: UTF8.self))
    }
}

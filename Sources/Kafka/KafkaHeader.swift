/// A record header: a name and an optional value.
public struct KafkaHeader: Hashable, Sendable, CustomStringConvertible {
    /// The header's name.
    public var name: String
    /// The header's value; `nil` for a header with a null value.
    public var value: [UInt8]?

    public init(name: String, value: [UInt8]?) {
        self.name = name
        self.value = value
    }

    /// A header whose value is the UTF-8 bytes of `string`.
    public init(name: String, string: String) {
        self.init(name: name, value: Array(string.utf8))
    }

    /// The value decoded as UTF-8, if it is present.
    public var stringValue: String? { value.map { String(decoding: $0, as: UTF8.self) } }

    public var description: String { "\(name)=\(stringValue ?? "null")" }
}

extension Array where Element == KafkaHeader {
    /// The value of the last header called `name`, as a string.
    public func string(_ name: String) -> String? {
        last(where: { $0.name == name })?.stringValue
    }
}

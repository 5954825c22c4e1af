/// Why an output record cannot be exported (it is skipped with a warning).
public struct ExportRecordError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable code.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The record has no value, or its value is not a JSON object.
        public static let notJSON = Code(rawValue: "not-json")
        /// `schema_version` is missing or not 1.
        public static let unsupportedSchema = Code(rawValue: "unsupported-schema")
        /// A required field is missing or has the wrong type.
        public static let badField = Code(rawValue: "bad-field")
    }

    /// What is wrong, as a stable code.
    public var code: Code
    /// The field and why, e.g. `savings: must be an array of objects`.
    public var reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { reason }
}

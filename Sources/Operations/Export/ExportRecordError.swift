/// Why an output record cannot be exported (it is skipped with a warning).
package struct ExportRecordError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable code.
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        package let rawValue: String
        package init(rawValue: String) { self.rawValue = rawValue }
        package var description: String { rawValue }

        /// The record has no value, or its value is not a JSON object.
        package static let notJSON = Code(rawValue: "not-json")
        /// `schema_version` is missing or not 1.
        package static let unsupportedSchema = Code(rawValue: "unsupported-schema")
        /// A required field is missing or has the wrong type.
        package static let badField = Code(rawValue: "bad-field")
    }

    /// What is wrong, as a stable code.
    package var code: Code
    /// The field and why, e.g. `savings: must be an array of objects`.
    package var reason: String

    package init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    package var description: String { reason }
}

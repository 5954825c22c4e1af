/// Why the service configuration could not be loaded.
///
/// ``description`` is one line a person can act on: the source of the bad
/// value (a file path, an environment variable or the command line), the dotted
/// key, and what is wrong, for example
/// `config/real_config.json: unknown key "processing.max_wrokers" (did you mean "processing.max_workers"?)`.
package struct SettingsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of problem; compare with the static members.
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case fileNotFound, unreadableFile, invalidJSON, unknownKey, wrongType, invalidValue,
                unknownEnvironmentVariable
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The configuration file does not exist.
        package static let fileNotFound = Code(.fileNotFound)
        /// The configuration file exists but could not be read.
        package static let unreadableFile = Code(.unreadableFile)
        /// The file (or a JSON-valued environment variable) is not valid JSON.
        package static let invalidJSON = Code(.invalidJSON)
        /// A key that the schema does not know.
        package static let unknownKey = Code(.unknownKey)
        /// A value of the wrong JSON type, or text that does not parse as the key's type.
        package static let wrongType = Code(.wrongType)
        /// A value of the right type that is out of range or inconsistent with another value.
        package static let invalidValue = Code(.invalidValue)
        /// A `CARDGENIUS_*` environment variable that names no setting.
        package static let unknownEnvironmentVariable = Code(.unknownEnvironmentVariable)

        package var description: String { base.rawValue }
    }

    /// The kind of problem.
    package var code: Code
    /// Where the bad value came from: a file path, `environment variable CARDGENIUS_...`, `command line`, ...
    package var source: String
    /// The dotted key at fault (`processing.max_workers`), if the problem is about one key.
    package var key: String?
    /// What is wrong, without the source.
    package var message: String

    /// Creates an error.
    package init(code: Code, source: String, key: String? = nil, message: String) {
        self.code = code
        self.source = source
        self.key = key
        self.message = message
    }

    /// `"<source>: <message>"`, one line.
    package var description: String { "\(source): \(message)" }
}

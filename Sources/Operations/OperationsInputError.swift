/// A flag or value the operations commands cannot use, reported as one line naming it.
public struct OperationsInputError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable error code.
    public struct Code: Hashable, Sendable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// A timestamp that is not ISO-8601 (or names an impossible date or time).
        public static let invalidTimestamp = Code(rawValue: "invalid-timestamp")
        /// A `--to` value that is neither a keyword, an offset nor a timestamp.
        public static let invalidTarget = Code(rawValue: "invalid-target")
        /// A partition the topic does not have.
        public static let unknownPartition = Code(rawValue: "unknown-partition")
        /// Flags that contradict each other or are missing.
        public static let conflictingFlags = Code(rawValue: "conflicting-flags")
        /// A number out of range.
        public static let outOfRange = Code(rawValue: "out-of-range")
    }

    /// What went wrong.
    public var code: Code
    /// The line shown to the user, naming the flag and the value.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

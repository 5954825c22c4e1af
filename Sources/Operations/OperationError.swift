/// A problem that stops an operation (`export`, `redrive`, `report`), as one line for people
/// and a stable code for programs.
public struct OperationError: Error, Sendable, CustomStringConvertible, Hashable {
    /// A stable error code.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// A flag or argument has a value the operation cannot use.
        public static let invalidArgument = Code(rawValue: "invalid-argument")
        /// A topic the operation needs does not exist.
        public static let missingTopic = Code(rawValue: "missing-topic")
        /// A file could not be written, synced or renamed.
        public static let io = Code(rawValue: "io")
        /// The broker did not acknowledge a record.
        public static let publishFailed = Code(rawValue: "publish-failed")
        /// SIGINT or SIGTERM ended the operation early.
        public static let interrupted = Code(rawValue: "interrupted")
        /// Offsets could not be read or committed.
        public static let offsets = Code(rawValue: "offsets")
    }

    /// What went wrong, as a stable code.
    public var code: Code
    /// One line for people, naming the file, flag or topic and why.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

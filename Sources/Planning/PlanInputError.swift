/// Why plan inputs were rejected: one line naming the flag, e.g.
/// `--latency-s: must be greater than 0 seconds (got -1.0)`.
public struct PlanInputError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of problem; compare with the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// A value below its minimum or above its maximum.
        public static let outOfRange = Code("outOfRange")
        /// NaN or an infinity where a finite number is needed.
        public static let notFinite = Code("notFinite")

        public var description: String { name }
    }

    /// The kind of problem.
    public var code: Code
    /// The command-line flag at fault (`--workers`).
    public var flag: String
    /// What is wrong with it.
    public var message: String

    /// Creates an error.
    public init(code: Code, flag: String, message: String) {
        self.code = code
        self.flag = flag
        self.message = message
    }

    /// `"<flag>: <message>"`, one line.
    public var description: String { "\(flag): \(message)" }
}

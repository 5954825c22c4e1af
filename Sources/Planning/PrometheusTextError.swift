/// A line of a Prometheus text exposition that does not parse, e.g.
/// `line 12: unterminated label value`.
public struct PrometheusTextError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of problem; compare with the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// A metric or label name that is empty or has characters names cannot have.
        public static let invalidName = Code("invalidName")
        /// A label set that is not `{name="value",...}`.
        public static let invalidLabels = Code("invalidLabels")
        /// A value that is not a float, `+Inf`, `-Inf` or `NaN`.
        public static let invalidValue = Code("invalidValue")
        /// A timestamp that is not an integer.
        public static let invalidTimestamp = Code("invalidTimestamp")

        public var description: String { name }
    }

    /// The kind of problem.
    public var code: Code
    /// 1-based line number.
    public var line: Int
    /// What is wrong.
    public var message: String

    /// Creates an error.
    public init(code: Code, line: Int, message: String) {
        self.code = code
        self.line = line
        self.message = message
    }

    /// `"line <n>: <message>"`.
    public var description: String { "line \(line): \(message)" }
}

/// Why planning could not go on, as one line for people that names what is at fault — a
/// flag (`--latency-s: must be greater than 0 seconds (got -1.0)`), a line of a Prometheus
/// exposition (`line 12: unterminated value for label le`) or a member's metrics URL
/// (`http://127.0.0.1:9464/metrics: HTTP status 404`) — and a stable code for programs.
package struct PlanningError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of problem; compare with the static members.
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        // Plan inputs (the subject is a flag).

        /// A value below its minimum or above its maximum.
        package static let outOfRange = Code("outOfRange")
        /// NaN or an infinity where a finite number is needed.
        package static let notFinite = Code("notFinite")

        // A Prometheus text exposition (the subject is a line).

        /// A metric or label name that is empty or has characters names cannot have.
        package static let invalidName = Code("invalidName")
        /// A label set that is not `{name="value",...}`.
        package static let invalidLabels = Code("invalidLabels")
        /// A value that is not a float, `+Inf`, `-Inf` or `NaN`.
        package static let invalidValue = Code("invalidValue")
        /// A timestamp that is not an integer.
        package static let invalidTimestamp = Code("invalidTimestamp")

        // A member's metrics endpoint (the subject is the URL).

        /// Not an `http://` or `https://` URL.
        package static let invalidURL = Code("invalidURL")
        /// The request failed (connection refused, timeout, ...).
        package static let requestFailed = Code("requestFailed")
        /// The server answered with a status other than 200.
        package static let badStatus = Code("badStatus")
        /// The body is not a Prometheus text exposition.
        package static let invalidExposition = Code("invalidExposition")
        /// The exposition has no CardGenius API latency or call metrics.
        package static let noAPIMetrics = Code("noAPIMetrics")

        package var description: String { name }
    }

    /// What is at fault.
    package enum Subject: Sendable, Hashable, CustomStringConvertible {
        /// A command-line flag (`--workers`).
        case flag(String)
        /// A line of a Prometheus text exposition, 1-based.
        case line(Int)
        /// The URL of a member's metrics that was fetched.
        case url(String)

        /// The flag, `line <n>` or the URL.
        package var description: String {
            switch self {
            case .flag(let flag): return flag
            case .line(let line): return "line \(line)"
            case .url(let url): return url
            }
        }
    }

    /// The kind of problem.
    package var code: Code
    /// What is at fault.
    package var subject: Subject
    /// What is wrong with it.
    package var message: String

    /// Creates an error about `subject`.
    package init(code: Code, subject: Subject, message: String) {
        self.code = code
        self.subject = subject
        self.message = message
    }

    /// An error in a plan input, naming its `flag`.
    package static func input(_ code: Code, flag: String, _ message: String) -> PlanningError {
        PlanningError(code: code, subject: .flag(flag), message: message)
    }

    /// An error at `line` (1-based) of a Prometheus text exposition.
    package static func exposition(_ code: Code, line: Int, _ message: String) -> PlanningError {
        PlanningError(code: code, subject: .line(line), message: message)
    }

    /// An error fetching a member's metrics from `url`.
    package static func metrics(_ code: Code, url: String, _ message: String) -> PlanningError {
        PlanningError(code: code, subject: .url(url), message: message)
    }

    /// `"<flag>: <message>"`, `"line <n>: <message>"` or `"<url>: <message>"`, one line.
    package var description: String { "\(subject): \(message)" }
}

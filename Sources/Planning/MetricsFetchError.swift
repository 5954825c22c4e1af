/// Why a member's metrics could not be read, one line naming the URL.
public struct MetricsFetchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of problem; compare with the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// Not an `http://` or `https://` URL.
        public static let invalidURL = Code("invalidURL")
        /// The request failed (connection refused, timeout, ...).
        public static let requestFailed = Code("requestFailed")
        /// The server answered with a status other than 200.
        public static let badStatus = Code("badStatus")
        /// The body is not a Prometheus text exposition.
        public static let invalidExposition = Code("invalidExposition")
        /// The exposition has no CardGenius API latency or call metrics.
        public static let noAPIMetrics = Code("noAPIMetrics")

        public var description: String { name }
    }

    /// The kind of problem.
    public var code: Code
    /// The URL that was fetched.
    public var url: String
    /// What went wrong.
    public var message: String

    /// Creates an error.
    public init(code: Code, url: String, message: String) {
        self.code = code
        self.url = url
        self.message = message
    }

    /// `"<url>: <message>"`.
    public var description: String { "\(url): \(message)" }
}

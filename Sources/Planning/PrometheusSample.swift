/// One sample of a Prometheus text exposition: `name{labels} value [timestamp]`.
public struct PrometheusSample: Sendable, Equatable, Codable {
    /// The metric name as written, suffix included (`cardgenius_api_latency_seconds_bucket`).
    public var name: String
    /// Label names to unescaped values.
    public var labels: [String: String]
    /// The value (`+Inf`, `-Inf` and `NaN` included).
    public var value: Double
    /// The optional timestamp, milliseconds since the epoch.
    public var timestampMilliseconds: Int64?

    /// Creates a sample.
    public init(name: String, labels: [String: String] = [:], value: Double, timestampMilliseconds: Int64? = nil) {
        self.name = name
        self.labels = labels
        self.value = value
        self.timestampMilliseconds = timestampMilliseconds
    }
}

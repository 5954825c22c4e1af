/// One sample of a Prometheus text exposition: `name{labels} value [timestamp]`.
package struct PrometheusSample: Sendable, Equatable, Codable {
    /// The metric name as written, suffix included (`cardgenius_api_latency_seconds_bucket`).
    package var name: String
    /// Label names to unescaped values.
    package var labels: [String: String]
    /// The value (`+Inf`, `-Inf` and `NaN` included).
    package var value: Double
    /// The optional timestamp, milliseconds since the epoch.
    package var timestampMilliseconds: Int64?

    /// Creates a sample.
    package init(name: String, labels: [String: String] = [:], value: Double, timestampMilliseconds: Int64? = nil) {
        self.name = name
        self.labels = labels
        self.value = value
        self.timestampMilliseconds = timestampMilliseconds
    }
}

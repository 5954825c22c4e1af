/// `Duration` in the units librdkafka, the metrics and the output records use: the one
/// place in the package that converts durations to milliseconds and seconds.
extension Duration {
    /// Whole milliseconds, rounded down (`linger.ms`, poll time-outs, `api_latency_ms`).
    package var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    /// Seconds as a `Double` (rates, latencies, progress).
    package var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

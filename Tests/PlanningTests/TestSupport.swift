@testable import Planning

/// `|a - b| <= tolerance`.
func approx(_ a: Double, _ b: Double, _ tolerance: Double = 1e-9) -> Bool {
    abs(a - b) <= tolerance
}

/// A plan for `users` users with the given changes to the default inputs.
func plan(users: Int, _ change: (inout PlanInputs) -> Void = { _ in }) throws -> CapacityPlan {
    var inputs = PlanInputs(users: users)
    change(&inputs)
    return try CapacityPlan(inputs: inputs)
}

/// A realistic exposition, as the CLI's swift-prometheus exporter writes it, plus the
/// awkward parts of the format: comments, escaped label values, NaN, +Inf, timestamps.
let sampleExposition = """
    # HELP cardgenius_api_latency_seconds CardGenius API call latency.
    # TYPE cardgenius_api_latency_seconds histogram
    cardgenius_api_latency_seconds_bucket{le="0.5"} 10
    cardgenius_api_latency_seconds_bucket{le="1.0"} 100
    cardgenius_api_latency_seconds_bucket{le="2.0"} 700
    cardgenius_api_latency_seconds_bucket{le="4.0"} 980
    cardgenius_api_latency_seconds_bucket{le="+Inf"} 1000
    cardgenius_api_latency_seconds_sum 1600.0
    cardgenius_api_latency_seconds_count 1000
    # TYPE cardgenius_api_calls_total counter
    cardgenius_api_calls_total{status="2xx"} 970
    cardgenius_api_calls_total{status="429"} 20
    cardgenius_api_calls_total{status="5xx"} 6
    cardgenius_api_calls_total{status="timeout"} 4
    # A free-form comment that is neither HELP nor TYPE.
    # HELP cardgenius_committed_offset Last committed offset, with a \\\\ backslash and a \\n newline.
    # TYPE cardgenius_committed_offset gauge
    cardgenius_committed_offset{topic="user-spend",partition="0"} 1234 1712345678000
    cardgenius_committed_offset{ topic = "weird \\"quoted\\" \\\\ name\\nline2" , partition="1", } 99
    cardgenius_rate_budget_share NaN
    cardgenius_records_total{outcome="ok"} 1.5e3

    """

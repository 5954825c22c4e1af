import Testing

@testable import Planning

@Suite("Prometheus text exposition parser")
struct PrometheusTextTests {
    @Test("a realistic exposition: samples, types, help, escapes, NaN, +Inf, timestamps")
    func realistic() throws {
        let text = try PrometheusText(parsing: sampleExposition)
        #expect(text.samples.count == 15)
        #expect(text.types["cardgenius_api_latency_seconds"] == "histogram")
        #expect(text.types["cardgenius_api_calls_total"] == "counter")
        #expect(text.types["cardgenius_committed_offset"] == "gauge")
        #expect(text.help["cardgenius_api_latency_seconds"] == "CardGenius API call latency.")
        #expect(text.help["cardgenius_committed_offset"] == "Last committed offset, with a \\ backslash and a \n newline.")

        let inf = try #require(text.samples.first { $0.labels["le"] == "+Inf" })
        #expect(inf.name == "cardgenius_api_latency_seconds_bucket")
        #expect(inf.value == 1000)

        let offsets = text.samples(named: "cardgenius_committed_offset")
        #expect(offsets.count == 2)
        #expect(offsets[0].labels == ["topic": "user-spend", "partition": "0"])
        #expect(offsets[0].timestampMilliseconds == 1_712_345_678_000)
        #expect(offsets[1].labels["topic"] == "weird \"quoted\" \\ name\nline2")
        #expect(offsets[1].labels["partition"] == "1")
        #expect(offsets[1].timestampMilliseconds == nil)

        #expect(text.samples(named: "cardgenius_rate_budget_share").first?.value.isNaN == true)
        #expect(text.samples(named: "cardgenius_records_total").first?.value == 1500)
    }

    @Test("values: floats, +Inf, -Inf, NaN; nonsense rejected")
    func values() {
        #expect(PrometheusText.parseValue("1.5e3") == 1500)
        #expect(PrometheusText.parseValue("-0.25") == -0.25)
        #expect(PrometheusText.parseValue("+Inf") == .infinity)
        #expect(PrometheusText.parseValue("Inf") == .infinity)
        #expect(PrometheusText.parseValue("-Inf") == -.infinity)
        #expect(PrometheusText.parseValue("NaN")?.isNaN == true)
        #expect(PrometheusText.parseValue("abc") == nil)
        #expect(PrometheusText.parseValue("infinity") == nil)
        #expect(PrometheusText.parseValue("0x10") == nil)
    }

    @Test("CRLF line ends, blank lines, leading blanks, labels without a value set, empty label set")
    func layout() throws {
        let samples = try PrometheusText.parse("a 1\r\n\r\n   b{} 2\r\nc{x=\"\"} 3\r\n# EOF\r\n")
        #expect(samples.map(\.name) == ["a", "b", "c"])
        #expect(samples.map(\.value) == [1, 2, 3])
        #expect(samples[2].labels == ["x": ""])
    }

    @Test(
        "malformed lines throw with the line number",
        arguments: [
            ("ok 1\nmetric{a=\"b} 1", PlanningError.Code.invalidLabels, 2),
            ("metric{a=b} 1", .invalidLabels, 1),
            ("metric{a=\"b\" c=\"d\"} 1", .invalidLabels, 1),
            ("metric{=\"b\"} 1", .invalidLabels, 1),
            ("{a=\"b\"} 1", .invalidName, 1),
            ("metric", .invalidValue, 1),
            ("metric abc", .invalidValue, 1),
            ("metric 1 1.5", .invalidTimestamp, 1),
            ("\n\nmetric 1 2 3", .invalidValue, 3),
        ])
    func malformed(text: String, code: PlanningError.Code, line: Int) {
        #expect {
            try PrometheusText.parse(text)
        } throws: { error in
            guard let e = error as? PlanningError else { return false }
            return e.code == code && e.subject == .line(line) && e.description.hasPrefix("line \(line): ")
        }
    }
}

@Suite("Observed metrics from samples")
struct ObservedMetricsTests {
    @Test("mean = sum / count, p95 by interpolation, error rate = non-2xx / all")
    func figures() throws {
        let m = try ObservedMetrics(exposition: sampleExposition, source: "sample")
        #expect(m.latencyCount == 1000)
        #expect(approx(try #require(m.meanLatencySeconds), 1.6))
        // rank 950 lies in (2, 4] holding 700...980: 2 + 2 × 250 / 280.
        #expect(approx(try #require(m.p95LatencySeconds), 2 + 2 * 250.0 / 280))
        #expect(m.totalCalls == 1000)
        #expect(m.callsByStatus == ["2xx": 970, "429": 20, "5xx": 6, "timeout": 4])
        #expect(approx(try #require(m.errorRate), 0.03))
    }

    @Test("series with other labels are added up")
    func aggregated() {
        let m = ObservedMetrics(
            samples: [
                .init(name: "cardgenius_api_latency_seconds_bucket", labels: ["le": "1", "member": "a"], value: 5),
                .init(name: "cardgenius_api_latency_seconds_bucket", labels: ["le": "+Inf", "member": "a"], value: 10),
                .init(name: "cardgenius_api_latency_seconds_bucket", labels: ["le": "1.0", "member": "b"], value: 5),
                .init(name: "cardgenius_api_latency_seconds_bucket", labels: ["le": "+Inf", "member": "b"], value: 10),
                .init(name: "cardgenius_api_latency_seconds_sum", labels: ["member": "a"], value: 15),
                .init(name: "cardgenius_api_latency_seconds_sum", labels: ["member": "b"], value: 15),
                .init(name: "cardgenius_api_latency_seconds_count", labels: ["member": "a"], value: 10),
                .init(name: "cardgenius_api_latency_seconds_count", labels: ["member": "b"], value: 10),
            ], source: "t")
        #expect(m.latencyCount == 20)
        #expect(m.meanLatencySeconds == 1.5)
        #expect(m.p95LatencySeconds == 1)  // rank 19 in +Inf → highest finite bound
        #expect(m.errorRate == nil)
    }

    @Test("quantile edge cases")
    func quantile() {
        #expect(ObservedMetrics.quantile(0.95, buckets: []) == nil)
        #expect(ObservedMetrics.quantile(0.95, buckets: [(1, 10)]) == nil)  // no +Inf bucket
        #expect(ObservedMetrics.quantile(0.95, buckets: [(1, 0), (.infinity, 0)]) == nil)
        #expect(approx(ObservedMetrics.quantile(0.95, buckets: [(.infinity, 10), (1, 10)])!, 0.95))
        #expect(ObservedMetrics.quantile(0.5, buckets: [(.infinity, 4)]) == nil)
        #expect(approx(ObservedMetrics.quantile(0.5, buckets: [(1, 2), (2, 1), (.infinity, 4)])!, 1))  // non-monotonic counts tolerated
    }

    @Test("no data: nil figures, and the plan keeps its assumptions")
    func empty() throws {
        let m = ObservedMetrics(samples: [], source: "t")
        #expect(m.meanLatencySeconds == nil && m.p95LatencySeconds == nil && m.errorRate == nil)
        let p = try CapacityPlan(inputs: PlanInputs(users: 100), observed: m)
        #expect(p.latencySeconds == 1.5)
        #expect(p.observations?.latencyObserved == false)
    }

    @Test("a plan from observed figures uses them and says so")
    func plan() throws {
        let m = try ObservedMetrics(exposition: sampleExposition, source: "sample")
        var inputs = PlanInputs(users: 100_000)
        inputs.rateLimitEnabled = false
        let p = try CapacityPlan(inputs: inputs, observed: m)
        #expect(p.latencySeconds == 1.6)
        #expect(approx(p.callsPerSecond, 12.5))
        #expect(approx(p.errorRate, 0.03))
        #expect(approx(p.attemptsPerUser, 1.0309))
        #expect(approx(p.totalRequests, 103_090, 1e-6))
        #expect(p.renderTable().contains("1.60 s (observed mean from sample; p95 3.79 s)"))
        #expect(p.renderTable().contains("3.00 % (observed)"))
        #expect(p.renderNotice().contains("observed mean latency 1.60 s and error rate 3.00 %"))
    }
}

import Foundation
import Testing

extension CLITests {
    @Suite("run: the whole job in one process")
    struct Run {
        // The summary and output of a run are ApplicationTests' (RunJobTests); here, the process: its
        // /metrics while it runs, its exit status and the summary it prints.
        @Test("run --metrics-port serves the members' /metrics while the job runs, then exits 0 with the summary")
        func runServesMetrics() async throws {
            let scratch = try ScratchDirectory()
            let port = HTTP.freePort()
            let child = try ChildProcess(
                [
                    "run", "--users", "60", "--latency-ms", "250", "--max-workers", "3",
                    "--output", scratch.file("OUT.jsonl"), "--metrics-port", String(port),
                    "--log-level", "error",
                ], directory: scratch.path)
            defer { child.kill() }
            var scraped: String?
            let answered = await waitUntil(timeout: .seconds(60), interval: .milliseconds(200)) {
                guard let answer = await HTTP.get("http://127.0.0.1:\(port)/metrics"), answer.status == 200,
                    answer.body.contains("cardgenius_records_total{")
                else { return false }
                scraped = answer.body
                return true
            }
            #expect(answered, "no /metrics with cardgenius_records_total on port \(port)\n\(child.stderr)")
            #expect(scraped?.contains("cardgenius_concurrency_budget_share") == true)
            // The process's own CPU and memory, and what it may use, for the CPU and memory alerts.
            let samples = Dictionary(
                (scraped ?? "").split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { line -> (String, Double)? in
                    let parts = line.split(separator: " ")
                    guard parts.count == 2, let value = Double(parts[1]) else { return nil }
                    return (String(parts[0]), value)
                }, uniquingKeysWith: { a, _ in a })
            let rss = try #require(samples["process_resident_memory_bytes"], "\(scraped ?? "")")
            #expect(rss > 10_000_000 && rss < 2_000_000_000, "resident memory \(rss)")
            #expect(try #require(samples["cardgenius_memory_limit_bytes"]) > rss)
            #expect(try #require(samples["cardgenius_cpu_limit_cores"]) >= 1)
            #expect(try #require(samples["process_cpu_seconds_total"]) > 0)
            #expect(try #require(samples["process_open_fds"]) > 3)
            #expect(await HTTP.get("http://127.0.0.1:\(port)/healthz")?.status == 200)
            let status = await child.waitForExit(timeout: .seconds(90))
            #expect(status == .exited(0), "\(child.stderr)")
            #expect(child.stdout.split(separator: "\n").contains { $0.wholeMatch(of: /recommended\s+60/) != nil }, "\(child.stdout)")
        }

        @Test("plan --from-metrics reads a live member's /metrics and plans with the latency it observed")
        func planFromLiveMember() async throws {
            let scratch = try ScratchDirectory()
            let port = HTTP.freePort()
            // Mean latency 400 ms: clearly different from the 1.5 s plan assumes by default.
            let child = try ChildProcess(
                [
                    "run", "--users", "120", "--latency-ms", "400", "--max-workers", "4",
                    "--output", scratch.file("OUT.jsonl"), "--metrics-port", String(port),
                    "--log-level", "error",
                ], directory: scratch.path)
            defer { child.kill() }
            let url = "http://127.0.0.1:\(port)/metrics"
            let calls = await waitUntil(timeout: .seconds(60), interval: .milliseconds(250)) {
                guard let answer = await HTTP.get(url) else { return false }
                return answer.body.contains("cardgenius_api_latency_seconds_count")
                    && !answer.body.contains("cardgenius_api_latency_seconds_count 0")
                    && !answer.body.contains("cardgenius_api_latency_seconds_count{} 0")
            }
            #expect(calls, "no API calls on \(url)\n\(child.stderr)")
            let plan = try await CLI.run(
                [
                    "plan", "--users", "10000", "--workers", "4", "--no-rate-limit",
                    "--from-metrics", url, "--json",
                ], timeout: .seconds(30))
            #expect(plan.status == .exited(0), "\(plan)")
            let json = try #require(jsonObject(plan.stdout), "\(plan)")
            let throughput = try #require(json["throughput"] as? [String: Any], "\(plan.stdout)")
            #expect(throughput["latency_observed"] as? Bool == true, "the plan says its latency is observed: \(throughput)")
            let latency = try #require(throughput["latency_seconds"] as? Double, "\(throughput)")
            // The simulator's log-normal latency around 400 ms; far from the 1.5 s default.
            #expect(latency > 0.2 && latency < 0.9, "observed latency \(latency) s")
            let callsPerSecond = try #require(throughput["calls_per_second"] as? Double, "\(throughput)")
            // 4 workers / observed latency.
            #expect(abs(callsPerSecond - 4 / latency) < 0.05 * (4 / latency), "\(callsPerSecond) calls/s vs 4 / \(latency)")
        }
    }
}

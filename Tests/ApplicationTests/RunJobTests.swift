import Configuration
import Foundation
import ProcessTestSupport
import Testing

@testable import CardGeniusApp

/// `run`'s whole job in this process: its own dev broker and simulator.
@Suite("Run job", .serialized)
struct RunJobTests {
    @Test("a run over a small cohort with two members yields one recommendation per user and ends cleanly")
    func smallCohort() async throws {
        let output = AppHarness.temporaryPath("run-output") + ".jsonl"
        defer { try? FileManager.default.removeItem(atPath: output) }
        var options = RunJob.Options()
        options.users = 40
        options.members = 2
        options.partitions = 4
        options.latencyScale = 0.01
        options.cohort = "2026-W48"
        options.output = output
        options.shutdownSignals = []
        let overrides: [String: ConfigContent] = ["metrics.port": "0", "api.rate_limit.requests_per_second": "100", "api.rate_limit.burst": "40"]
        let job = RunJob(
            options: options, overrides: overrides, loadSettings: { try AppHarness.settings($0) },
            logger: AppHarness.logger())
        let outcome = try await job.run()
        #expect(outcome.total == 40)
        #expect(outcome.done == 40)
        #expect(outcome.isComplete)
        #expect(outcome.recommended == 40)
        #expect(outcome.deadLetters.isEmpty)
        #expect(outcome.summary.contains("without a result"))
        // The file holds each user's recommendation (a duplicate from a rebalance may repeat one).
        let lines = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n")
        var users = Set<String>()
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["cohort"] as? String == "2026-W48")
            users.insert(try #require(object["user_id"] as? String))
        }
        #expect(users == Set((0..<40).map { "user-\($0)" }))
        #expect(lines.count == 40 + outcome.duplicates)
    }

    @Test("a run of one member over 40 synthetic users: the summary counts them all and the output holds one schema-v1 recommendation each")
    func oneMemberSummaryAndOutput() async throws {
        let output = AppHarness.temporaryPath("run-one") + ".jsonl"
        defer { try? FileManager.default.removeItem(atPath: output) }
        var options = RunJob.Options()
        options.users = 40
        options.latencyMilliseconds = 20
        options.output = output
        options.shutdownSignals = []
        let job = RunJob(
            options: options, overrides: ["metrics.port": "0"], loadSettings: { try AppHarness.settings($0) },
            logger: AppHarness.logger())
        let outcome = try await job.run()
        #expect(outcome.isComplete)
        // The table `run` prints.
        let summary = outcome.summary.split(separator: "\n").map(String.init)
        #expect(summary.contains { $0.wholeMatch(of: /recommended\s+40/) != nil }, "\(outcome.summary)")
        #expect(summary.contains { $0.wholeMatch(of: /records\s+40/) != nil }, "\(outcome.summary)")
        #expect(summary.contains { $0.wholeMatch(of: /without a result\s+0/) != nil }, "\(outcome.summary)")

        // One member, no rebalance: exactly one line per user.
        let lines = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.count == 40)
        var users = Set<String>()
        for line in lines {
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                "not a JSON object: \(line.prefix(200))")
            #expect(object["schema_version"] as? Int == 1, "\(line.prefix(200))")
            #expect(object["savings"] is [Any], "savings array: \(line.prefix(200))")
            if let user = object["user_id"] as? String { users.insert(user) }
        }
        #expect(users == Set((0..<40).map { "user-\($0)" }), "one recommendation per synthetic user")
    }

    @Test("a run whose input has no valid record publishes nothing and says so as a usage error")
    func nothingToProcess() async throws {
        let input = AppHarness.temporaryPath("run-bad") + ".jsonl"
        try #"{"user_id":""}"#.write(toFile: input, atomically: true, encoding: .utf8)
        defer {
            try? FileManager.default.removeItem(atPath: input)
            try? FileManager.default.removeItem(atPath: input + ".rejects.jsonl")
        }
        var options = RunJob.Options()
        options.input = input
        options.partitions = 1
        options.latencyScale = 0.01
        options.shutdownSignals = []
        let job = RunJob(
            options: options, overrides: ["metrics.port": "0"], loadSettings: { try AppHarness.settings($0) },
            logger: AppHarness.logger())
        await #expect(throws: UsageError.self) { _ = try await job.run() }
    }
}

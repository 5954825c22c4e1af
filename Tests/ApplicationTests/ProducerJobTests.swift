import Foundation
import Kafka
import ProcessTestSupport
import Testing

@testable import CardGeniusApp

/// `produce`'s job against the dev broker, and its loop's bookkeeping on its own.
@Suite("Producer job")
struct ProducerJobTests {
    @Test("valid records are published keyed by user with the cohort header; an invalid one goes to the rejects file")
    func publishesAndRejects() async throws {
        let cluster = try KafkaMockCluster(brokers: 1, logger: AppHarness.logger())
        try cluster.createTopic("in", partitions: 2)
        let input = AppHarness.temporaryPath("produce") + ".jsonl"
        let rejects = input + ".rejects.jsonl"
        try (AppHarness.users(3) + #"{"user_id":"user-x","fuel":-5}"# + "\n").write(toFile: input, atomically: true, encoding: .utf8)
        defer {
            try? FileManager.default.removeItem(atPath: input)
            try? FileManager.default.removeItem(atPath: rejects)
        }
        let summary = try await ProducerJob(
            input: input, format: nil, cohort: "2026-W01", topic: "in", rejectsPath: rejects,
            showProgress: false, logger: AppHarness.logger()
        )
        .publish(bootstrapServers: cluster.bootstrapServers, properties: [:])
        #expect(summary == ProducerJob.Summary(published: 3, rejected: 1, undelivered: 0, rejectsPath: rejects))
        let rejected = try String(contentsOfFile: rejects, encoding: .utf8).split(separator: "\n")
        #expect(rejected.count == 1)
        #expect(rejected.first?.contains(#""field":"fuel""#) == true)
        #expect(rejected.first?.contains(#""line":4"#) == true)
        await cluster.shutdown()
    }

    @Test("the tally opens the rejects file on the first reject only and logs the first ten delivery failures")
    func tally() {
        var tally = ProducerJob.Tally(rejectsPath: "r.jsonl")
        #expect(tally.rejected() == .openRejectsFile)
        #expect(tally.rejected() == .write)
        tally.delivered()
        let actions = (1...12).map { _ in tally.undelivered() }
        #expect(actions == Array(repeating: .log, count: 10) + [.count, .count])
        #expect(tally.summary == ProducerJob.Summary(published: 1, rejected: 2, undelivered: 12, rejectsPath: "r.jsonl"))
        #expect(tally.done == 3)
    }

    @Test("the default cohort is the ISO week in UTC; the rejects file sits beside the input")
    func defaults() {
        // 2026-11-23 is the Monday of ISO week 48; 2027-01-01 (a Friday) is in 2026's week 53.
        #expect(ISOWeek.of(Date(timeIntervalSince1970: 1_795_392_000)) == "2026-W48")
        #expect(ISOWeek.of(Date(timeIntervalSince1970: 1_798_761_600)) == "2026-W53")
        #expect(ProducerJob.defaultRejectsPath(for: "-") == "stdin.rejects.jsonl")
        #expect(ProducerJob.defaultRejectsPath(for: "a.csv") == "a.csv.rejects.jsonl")
    }
}

import Foundation
import Kafka
import KafkaTestSupport
import Testing

extension CLITests {
    @Suite("produce: validation, rejects and exit codes")
    struct Produce {
        /// A published record, decoded.
        struct Published {
            var key: String?
            var cohortHeader: String?
            var value: [String: Any]
        }

        /// Reads everything in `topic` (its size from the watermarks, so "exactly" is checked).
        static func published(_ bootstrap: String, topic: String) async throws -> [Published] {
            let count = try await TopicCount.records(bootstrap, topic: topic)
            guard count > 0 else { return [] }
            let records = try await TestKafka.read(bootstrap, topic: topic, count: Int(count))
            #expect(records.count == Int(count), "read \(records.count) of \(count) records")
            return records.map { r in
                Published(
                    key: r.keyString, cohortHeader: r.headers.string("cohort"),
                    value: (try? JSONSerialization.jsonObject(with: Data(r.value ?? []))) as? [String: Any] ?? [:])
            }
        }

        /// `PATH:LINE: field: reason` lines of stderr, as line → field.
        static func reportedRejects(_ stderr: String, path: String) -> [Int: String] {
            var out: [Int: String] = [:]
            for line in stderr.split(separator: "\n") where line.hasPrefix(path + ":") {
                let rest = line.dropFirst(path.count + 1)
                guard let colon = rest.firstIndex(of: ":"), let n = Int(rest[..<colon]) else { continue }
                let afterLine = rest[rest.index(after: colon)...]
                guard afterLine.hasPrefix(" "), let sep = afterLine.range(of: ": ") else { continue }
                let field = afterLine.dropFirst()[..<sep.lowerBound]
                let reason = afterLine[sep.upperBound...]
                if reason.trimmingCharacters(in: .whitespaces).isEmpty { continue }
                #expect(out[n] == nil, "line \(n) reported twice")
                out[n] = String(field)
            }
            return out
        }

        @Test("a file mixing good and bad lines: exit 1, each bad line reported on stderr and in the default rejects file, the summary on stdout")
        func mixedFileReportsRejectsAndPublishesTheRest() async throws {
            // What is published, and the rejects of other inputs, are ApplicationTests' (ProducerJobPublishingTests).
            let scratch = try ScratchDirectory()
            let input = try scratch.write("spends.jsonl", ProducerInputFixture.mixedJSONL)
            let topic = CLI.unique("user-spends")
            try await TestKafka.withCluster([topic: 4]) { bootstrap in
                let result = try await CLI.run([
                    "produce", "--brokers", bootstrap, "--input", input, "--cohort", "2026-W48",
                    "--topic", topic, "--log-level", "error",
                ])
                #expect(result.status == .exited(1), "\(result)")
                #expect(Self.reportedRejects(result.stderr, path: input) == ProducerInputFixture.mixedJSONLRejects, "\(result)")
                #expect(result.stdout.contains("published 4, rejected 5, undelivered 0 (rejects in \(input).rejects.jsonl)"), "\(result)")
                #expect(try ProducerInputFixture.rejectsFile(input + ".rejects.jsonl") == ProducerInputFixture.mixedJSONLRejects)
                #expect(try await TopicCount.records(bootstrap, topic: topic) == 4)
            }
        }

        @Test("a missing input file: exit 2 with one line naming the file")
        func missingInputFile() async throws {
            let scratch = try ScratchDirectory()
            let missing = scratch.file("no-such-file.jsonl")
            // Nothing listens on port 9 (discard): the input must be checked before any Kafka work.
            let result = try await CLI.run(
                ["produce", "--brokers", "127.0.0.1:9", "--input", missing, "--log-level", "error"],
                timeout: .seconds(30))
            #expect(result.status == .exited(2), "unreadable input is exit status 2: \(result)")
            #expect(result.stderrLines.count == 1, "one line: \(result)")
            let message = try #require(result.stderrLines.first, "\(result)")
            #expect(message.contains(missing), "\(message)")
            #expect(message.contains("cannot open") || message.contains("No such file"), "\(message)")
            #expect(!scratch.exists("no-such-file.jsonl.rejects.jsonl"))
        }

        @Test("without --cohort or a cohort field, the cohort is this ISO week (YYYY-Www); all good: exit 0, the summary alone on stdout")
        func cohortDefaultsToISOWeek() async throws {
            let scratch = try ScratchDirectory()
            let input = try scratch.write("week.jsonl", #"{"user_id":"w1","fuel":10}"# + "\n")
            let topic = CLI.unique("user-spends")
            func isoWeek() -> String {
                var calendar = Calendar(identifier: .iso8601)
                calendar.timeZone = TimeZone(identifier: "UTC")!
                let c = calendar.dateComponents([.yearForWeekOfYear, .weekOfYear], from: Date())
                return String(format: "%04d-W%02d", c.yearForWeekOfYear!, c.weekOfYear!)
            }
            try await TestKafka.withCluster([topic: 1]) { bootstrap in
                let before = isoWeek()
                let result = try await CLI.run([
                    "produce", "--brokers", bootstrap, "--input", input, "--topic", topic,
                    "--log-level", "error",
                ])
                let after = isoWeek()
                #expect(result.status == .exited(0), "\(result)")
                #expect(result.stdoutLines == ["published 1, rejected 0, undelivered 0"], "\(result)")
                #expect(Self.reportedRejects(result.stderr, path: input).isEmpty, "\(result)")
                #expect(!scratch.exists("week.jsonl.rejects.jsonl"))
                let published = try await Self.published(bootstrap, topic: topic)
                let record = try #require(published.first)
                #expect(published.count == 1)
                let cohort = try #require(record.cohortHeader)
                #expect(cohort.wholeMatch(of: /\d{4}-W\d{2}/) != nil, "\(cohort)")
                #expect(cohort == before || cohort == after, "\(cohort), this week is \(before)")
                #expect(record.value["cohort"] as? String == cohort)
            }
        }
    }
}

import CardGenius
import Foundation
import Kafka
import KafkaTestSupport
import ProcessTestSupport
import Testing

@testable import CardGeniusApp

/// What `produce`'s job publishes, reports and rejects for mixed, clean and CSV inputs, in
/// this process against the dev broker (the exit codes and the printed lines of the command
/// itself are the CLI suite's).
@Suite("Producer job: validation and publishing")
struct ProducerJobPublishingTests {
    /// A published record, decoded.
    struct Published {
        var key: String?
        var cohortHeader: String?
        var value: [String: Any]
    }

    /// What one run of the job left behind.
    struct Run {
        var summary: ProducerJob.Summary
        /// The `FILE:LINE: field: reason` lines, in order.
        var reported: [String]
        var published: [Published]
    }

    /// Writes `contents` to a fresh `name`, publishes it to a new topic of `partitions`, and
    /// reads back the whole topic. `rejects` nil: the default path beside the input.
    static func produce(
        _ contents: String, name: String, format: UserSpendRecordReader.Format? = nil,
        rejects: String? = nil, partitions: Int32,
        check: (_ input: String, _ run: Run) throws -> Void
    ) async throws {
        let directory = AppHarness.temporaryPath("produce")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let input = (directory as NSString).appendingPathComponent(name)
        try contents.write(toFile: input, atomically: true, encoding: .utf8)
        let cluster = try KafkaMockCluster(brokers: 1, logger: AppHarness.logger())
        try cluster.createTopic("user-spends", partitions: partitions)
        let reported = Collected<String>()
        var job = ProducerJob(
            input: input, format: format, cohort: "2026-W48", topic: "user-spends",
            rejectsPath: rejects ?? ProducerJob.defaultRejectsPath(for: input),
            showProgress: false, logger: AppHarness.logger())
        job.reportReject = { reported.append([$0]) }
        do {
            let summary = try await job.publish(bootstrapServers: cluster.bootstrapServers, properties: [:])
            let published = try await AppHarness.all(cluster.bootstrapServers, topic: "user-spends").map { r in
                Published(
                    key: r.keyString, cohortHeader: r.headers.string("cohort"),
                    value: (try? JSONSerialization.jsonObject(with: Data(r.value ?? []))) as? [String: Any] ?? [:])
            }
            try check(input, Run(summary: summary, reported: reported.records, published: published))
        } catch {
            await cluster.shutdown()
            throw error
        }
        await cluster.shutdown()
    }

    /// Every spend field is present in the value; the given ones keep their amounts, the rest are 0.
    static func expectSpends(_ value: [String: Any], _ given: [String: Double], sourceLocation: SourceLocation = #_sourceLocation) {
        for field in SpendField.allCases {
            let amount = (value[field.rawValue] as? NSNumber)?.doubleValue
            #expect(
                amount == (given[field.rawValue] ?? 0), "\(field.rawValue) = \(amount.map { "\($0)" } ?? "missing")",
                sourceLocation: sourceLocation)
        }
        let known = Set(SpendField.allCases.map(\.rawValue) + ["user_id", "cohort"])
        #expect(
            Set(value.keys).isSubset(of: known), "unexpected keys \(Set(value.keys).subtracting(known))",
            sourceLocation: sourceLocation)
    }

    /// `PATH:LINE: field: reason` lines as line → field (each line once, each with a reason).
    static func reportedRejects(_ lines: [String], path: String) -> [Int: String] {
        var out: [Int: String] = [:]
        for line in lines {
            #expect(line.hasPrefix(path + ":"), "\(line) does not name \(path)")
            let rest = line.dropFirst(path.count + 1)
            guard let colon = rest.firstIndex(of: ":"), let n = Int(rest[..<colon]) else { continue }
            let afterLine = rest[rest.index(after: colon)...]
            guard afterLine.hasPrefix(" "), let sep = afterLine.range(of: ": ") else { continue }
            let reason = afterLine[sep.upperBound...]
            #expect(!reason.trimmingCharacters(in: .whitespaces).isEmpty, "no reason: \(line)")
            #expect(out[n] == nil, "line \(n) reported twice")
            out[n] = String(afterLine.dropFirst()[..<sep.lowerBound])
        }
        return out
    }

    @Test("mixed good and bad lines: each bad line reported and in the rejects file, the good ones published with their cohort and spends")
    func mixedFile() async throws {
        try await Self.produce(ProducerInputFixture.mixedJSONL, name: "spends.jsonl", partitions: 4) { (input: String, run: Run) throws in
            #expect(run.summary == ProducerJob.Summary(published: 4, rejected: 5, undelivered: 0, rejectsPath: input + ".rejects.jsonl"))
            #expect(run.summary.line == "published 4, rejected 5, undelivered 0 (rejects in \(input).rejects.jsonl)")
            #expect(run.summary.exitStatus == 1)
            #expect(run.reported.count == 5, "\(run.reported)")
            #expect(Self.reportedRejects(run.reported, path: input) == ProducerInputFixture.mixedJSONLRejects, "\(run.reported)")
            #expect(try ProducerInputFixture.rejectsFile(input + ".rejects.jsonl") == ProducerInputFixture.mixedJSONLRejects)

            #expect(run.published.count == 4)
            let byKey = Dictionary(run.published.map { ($0.key ?? "", $0) }, uniquingKeysWith: { a, _ in a })
            #expect(Set(byKey.keys) == ["u1", "u3", "u8", "u9"], "keys = user_id")
            for (key, record) in byKey {
                #expect(record.value["user_id"] as? String == key)
                let cohort = key == "u3" ? "beta-arm" : "2026-W48"
                #expect(record.cohortHeader == cohort, "\(key): cohort header \(record.cohortHeader ?? "none")")
                #expect(record.value["cohort"] as? String == cohort)
            }
            Self.expectSpends(try #require(byKey["u1"]).value, ["amazon_spends": 1200, "fuel": 300.5])
            Self.expectSpends(try #require(byKey["u3"]).value, ["hotels_annual": 50000])
            Self.expectSpends(try #require(byKey["u8"]).value, [:])
            Self.expectSpends(try #require(byKey["u9"]).value, ["dining_usage": 4])
            #expect(try #require(byKey["u9"]).value["name"] == nil, "metadata is not published")
        }
    }

    @Test("a rejects path given puts the rejects there and nowhere else; the summary line names it")
    func rejectsPath() async throws {
        let elsewhere = AppHarness.temporaryPath("elsewhere")
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: elsewhere) }
        let rejects = (elsewhere as NSString).appendingPathComponent("bad.jsonl")
        try await Self.produce(ProducerInputFixture.mixedJSONL, name: "spends.jsonl", rejects: rejects, partitions: 2) { (input: String, run: Run) throws in
            #expect(run.summary.exitStatus == 1)
            #expect(try ProducerInputFixture.rejectsFile(rejects) == ProducerInputFixture.mixedJSONLRejects)
            #expect(!FileManager.default.fileExists(atPath: input + ".rejects.jsonl"), "no default rejects file with a path given")
            #expect(run.summary.line.contains(rejects), "the summary names the rejects file: \(run.summary.line)")
            #expect(run.published.count == 4)
        }
    }

    @Test("an all-good file: everything published under each record's own cohort, nothing reported, no rejects file, status 0")
    func allGoodFile() async throws {
        let lines = (0..<25).map { #"{"user_id":"good-\#($0)","rent":\#($0 * 1000),"cohort":"c\#($0 % 3)"}"# }
        try await Self.produce(lines.joined(separator: "\n") + "\n", name: "good.jsonl", partitions: 4) { (input: String, run: Run) throws in
            #expect(run.summary == ProducerJob.Summary(published: 25, rejected: 0, undelivered: 0, rejectsPath: input + ".rejects.jsonl"))
            #expect(run.summary.line == "published 25, rejected 0, undelivered 0")
            #expect(run.summary.exitStatus == 0)
            #expect(run.reported.isEmpty, "\(run.reported)")
            #expect(!FileManager.default.fileExists(atPath: input + ".rejects.jsonl"))
            #expect(run.published.count == 25)
            #expect(Set(run.published.compactMap(\.key)) == Set((0..<25).map { "good-\($0)" }))
            for r in run.published {
                let n = try #require(r.key.flatMap { Int($0.dropFirst("good-".count)) })
                #expect(r.cohortHeader == "c\(n % 3)", "the record's own cohort wins over the job's")
                Self.expectSpends(r.value, ["rent": Double(n * 1000)])
            }
        }
    }

    @Test("CSV input: header, quoted fields, bad rows reported and rejected by line")
    func csvInput() async throws {
        let csv = #"""
            user_id,cohort,amazon_spends,fuel,name
            "u,1",,1200,"300","Doe, Jane"
            u2,arm-b,,,
            u3,,-7,0,x

            "u4",,abc,1,y
            u5,,1,2
            "u ""six""",,0,1e3,"said ""hi"""

            """#
        let expectedRejects: [Int: String] = [4: "amazon_spends", 6: "amazon_spends", 7: "(record)"]
        try await Self.produce(csv, name: "spends.data", format: .csv, partitions: 3) { (input: String, run: Run) throws in
            #expect(run.summary == ProducerJob.Summary(published: 3, rejected: 3, undelivered: 0, rejectsPath: input + ".rejects.jsonl"))
            #expect(run.summary.exitStatus == 1)
            #expect(Self.reportedRejects(run.reported, path: input) == expectedRejects, "\(run.reported)")
            #expect(try ProducerInputFixture.rejectsFile(input + ".rejects.jsonl") == expectedRejects)
            let byKey = Dictionary(run.published.map { ($0.key ?? "", $0) }, uniquingKeysWith: { a, _ in a })
            #expect(run.published.count == 3)
            #expect(Set(byKey.keys) == ["u,1", "u2", #"u "six""#])
            Self.expectSpends(try #require(byKey["u,1"]).value, ["amazon_spends": 1200, "fuel": 300])
            Self.expectSpends(try #require(byKey["u2"]).value, [:])
            Self.expectSpends(try #require(byKey[#"u "six""#]).value, ["fuel": 1000])
            #expect(byKey["u,1"]?.cohortHeader == "2026-W48")
            #expect(byKey["u2"]?.cohortHeader == "arm-b")
        }
    }
}

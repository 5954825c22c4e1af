import CardGenius
import Foundation
import Kafka
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
            let count = try await TestKafka.recordCount(bootstrap, topic: topic)
            guard count > 0 else { return [] }
            let records = try await TestKafka.read(bootstrap, topic: topic, count: Int(count))
            #expect(records.count == Int(count), "read \(records.count) of \(count) records")
            return records.map { r in
                Published(key: r.keyString, cohortHeader: r.headers.string("cohort"),
                          value: (try? JSONSerialization.jsonObject(with: Data(r.value ?? []))) as? [String: Any] ?? [:])
            }
        }

        /// Every spend field is present in the value; the given ones keep their amounts, the rest are 0.
        static func expectSpends(_ value: [String: Any], _ given: [String: Double], sourceLocation: SourceLocation = #_sourceLocation) {
            for field in SpendField.allCases {
                let amount = (value[field.rawValue] as? NSNumber)?.doubleValue
                #expect(amount == (given[field.rawValue] ?? 0), "\(field.rawValue) = \(amount.map { "\($0)" } ?? "missing")",
                        sourceLocation: sourceLocation)
            }
            let known = Set(SpendField.allCases.map(\.rawValue) + ["user_id", "cohort"])
            #expect(Set(value.keys).isSubset(of: known), "unexpected keys \(Set(value.keys).subtracting(known))",
                    sourceLocation: sourceLocation)
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

        /// The rejects file, as line → field (and checks each entry's shape).
        static func rejectsFile(_ path: String) throws -> [Int: String] {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            var out: [Int: String] = [:]
            for line in text.split(separator: "\n") {
                let o = try #require(jsonObject(String(line)), "not a JSON object: \(line)")
                let n = try #require(o["line"] as? Int)
                let field = try #require(o["field"] as? String)
                let reason = try #require(o["reason"] as? String)
                #expect(!reason.isEmpty)
                #expect(out[n] == nil, "line \(n) twice in the rejects file")
                out[n] = field
            }
            return out
        }

        static let mixedJSONL = """
            {"user_id":"u1","amazon_spends":1200,"fuel":300.5}
            {"user_id":"u2","fuel":
            
            {"user_id":"u3","cohort":"beta-arm","hotels_annual":50000}
            {"fuel":100}
            {"user_id":"u5","fuel":-5}
               \t
            {"user_id":"u6","fuel":"12k"}
            {"user_id":"u7","amazon_spend":10}
            {"user_id":"u8"}
            {"user_id":"u9","name":"Jane","dining_usage":4}

            """
        /// The bad lines of `mixedJSONL` and the field each one is blamed on.
        static let mixedJSONLRejects: [Int: String] = [2: "(record)", 5: "user_id", 6: "fuel", 8: "fuel", 9: "amazon_spend"]

        @Test("a file mixing good and bad lines: exit 1, each bad line reported and in the rejects file, the good ones published")
        func mixedFileReportsRejectsAndPublishesTheRest() async throws {
            let scratch = try ScratchDirectory()
            let input = try scratch.write("spends.jsonl", Self.mixedJSONL)
            let topic = CLI.unique("user-spends")
            try await TestKafka.withCluster([topic: 4]) { bootstrap in
                let result = try await CLI.run(["produce", "--brokers", bootstrap, "--input", input, "--cohort", "2026-W48",
                                                "--topic", topic, "--log-level", "error"])
                #expect(result.status == .exited(1), "\(result)")
                #expect(Self.reportedRejects(result.stderr, path: input) == Self.mixedJSONLRejects, "\(result)")
                #expect(result.stdout.contains("published 4, rejected 5, undelivered 0"), "\(result)")
                #expect(try Self.rejectsFile(input + ".rejects.jsonl") == Self.mixedJSONLRejects)

                let published = try await Self.published(bootstrap, topic: topic)
                #expect(published.count == 4)
                let byKey = Dictionary(published.map { ($0.key ?? "", $0) }, uniquingKeysWith: { a, _ in a })
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

        @Test("--rejects PATH puts the rejects there and nowhere else")
        func rejectsPathOption() async throws {
            let scratch = try ScratchDirectory()
            let input = try scratch.write("spends.jsonl", Self.mixedJSONL)
            let rejects = scratch.file("elsewhere/bad.jsonl")
            try FileManager.default.createDirectory(atPath: scratch.file("elsewhere"), withIntermediateDirectories: true)
            let topic = CLI.unique("user-spends")
            try await TestKafka.withCluster([topic: 2]) { bootstrap in
                let result = try await CLI.run(["produce", "--brokers", bootstrap, "--input", input, "--cohort", "2026-W48",
                                                "--topic", topic, "--rejects", rejects, "--log-level", "error"])
                #expect(result.status == .exited(1), "\(result)")
                #expect(try Self.rejectsFile(rejects) == Self.mixedJSONLRejects)
                #expect(!scratch.exists("spends.jsonl.rejects.jsonl"), "no default rejects file with --rejects")
                #expect(result.stdout.contains(rejects), "the summary names the rejects file: \(result.stdout)")
                #expect(try await TestKafka.recordCount(bootstrap, topic: topic) == 4)
            }
        }

        @Test("an all-good file: exit 0, everything published, no rejects file")
        func allGoodFileExitsZero() async throws {
            let scratch = try ScratchDirectory()
            let lines = (0..<25).map { #"{"user_id":"good-\#($0)","rent":\#($0 * 1000),"cohort":"c\#($0 % 3)"}"# }
            let input = try scratch.write("good.jsonl", lines.joined(separator: "\n") + "\n")
            let topic = CLI.unique("user-spends")
            try await TestKafka.withCluster([topic: 4]) { bootstrap in
                let result = try await CLI.run(["produce", "--brokers", bootstrap, "--input", input, "--topic", topic,
                                                "--cohort", "2026-W48", "--log-level", "error"])
                #expect(result.status == .exited(0), "\(result)")
                #expect(result.stdout.contains("published 25, rejected 0, undelivered 0"), "\(result)")
                #expect(Self.reportedRejects(result.stderr, path: input).isEmpty)
                #expect(!scratch.exists("good.jsonl.rejects.jsonl"))
                let published = try await Self.published(bootstrap, topic: topic)
                #expect(published.count == 25)
                #expect(Set(published.compactMap(\.key)) == Set((0..<25).map { "good-\($0)" }))
                for r in published {
                    let n = try #require(r.key.flatMap { Int($0.dropFirst("good-".count)) })
                    #expect(r.cohortHeader == "c\(n % 3)", "the record's own cohort wins over --cohort")
                    Self.expectSpends(r.value, ["rent": Double(n * 1000)])
                }
            }
        }

        @Test("CSV input: header, quoted fields, bad rows reported by line")
        func csvInput() async throws {
            let scratch = try ScratchDirectory()
            let csv = #"""
                user_id,cohort,amazon_spends,fuel,name
                "u,1",,1200,"300","Doe, Jane"
                u2,arm-b,,,
                u3,,-7,0,x
                
                "u4",,abc,1,y
                u5,,1,2
                "u ""six""",,0,1e3,"said ""hi"""

                """#
            let input = try scratch.write("spends.data", csv)
            let topic = CLI.unique("user-spends")
            let expectedRejects: [Int: String] = [4: "amazon_spends", 6: "amazon_spends", 7: "(record)"]
            try await TestKafka.withCluster([topic: 3]) { bootstrap in
                let result = try await CLI.run(["produce", "--brokers", bootstrap, "--input", input, "--format", "csv",
                                                "--topic", topic, "--cohort", "2026-W48", "--log-level", "error"])
                #expect(result.status == .exited(1), "\(result)")
                #expect(Self.reportedRejects(result.stderr, path: input) == expectedRejects, "\(result)")
                #expect(try Self.rejectsFile(input + ".rejects.jsonl") == expectedRejects)
                let published = try await Self.published(bootstrap, topic: topic)
                let byKey = Dictionary(published.map { ($0.key ?? "", $0) }, uniquingKeysWith: { a, _ in a })
                #expect(published.count == 3)
                #expect(Set(byKey.keys) == ["u,1", "u2", #"u "six""#])
                Self.expectSpends(try #require(byKey["u,1"]).value, ["amazon_spends": 1200, "fuel": 300])
                Self.expectSpends(try #require(byKey["u2"]).value, [:])
                Self.expectSpends(try #require(byKey[#"u "six""#]).value, ["fuel": 1000])
                #expect(byKey["u,1"]?.cohortHeader == "2026-W48")
                #expect(byKey["u2"]?.cohortHeader == "arm-b")
            }
        }

        @Test("a missing input file: exit 2 with one line naming the file")
        func missingInputFile() async throws {
            let scratch = try ScratchDirectory()
            let missing = scratch.file("no-such-file.jsonl")
            // Nothing listens on port 9 (discard): the input must be checked before any Kafka work.
            let result = try await CLI.run(["produce", "--brokers", "127.0.0.1:9", "--input", missing, "--log-level", "error"],
                                           timeout: .seconds(30))
            #expect(result.status == .exited(2), "unreadable input is exit status 2: \(result)")
            #expect(result.stderrLines.count == 1, "one line: \(result)")
            let message = try #require(result.stderrLines.first, "\(result)")
            #expect(message.contains(missing), "\(message)")
            #expect(message.contains("cannot open") || message.contains("No such file"), "\(message)")
            #expect(!scratch.exists("no-such-file.jsonl.rejects.jsonl"))
        }

        @Test("without --cohort or a cohort field, the cohort is this ISO week (YYYY-Www)")
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
                let result = try await CLI.run(["produce", "--brokers", bootstrap, "--input", input, "--topic", topic,
                                                "--log-level", "error"])
                let after = isoWeek()
                #expect(result.status == .exited(0), "\(result)")
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

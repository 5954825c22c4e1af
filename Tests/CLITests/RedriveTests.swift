import Foundation
import Kafka
import KafkaTestSupport
import Testing

extension CLITests {
    @Suite("redrive: dead letters back to the input topic")
    struct RedriveTests {
        static let classes = ["invalid-record", "api-rejected", "retries-exhausted"]

        /// Two dead letters per class (users `<class>-0`, `<class>-1`), cohort `C`.
        static func deadLetters(_ dlq: String, suffix: String = "") -> [KafkaProducerRecord] {
            classes.flatMap { c in
                (0..<2).map { i in
                    Downstream.deadLetter(topic: dlq, user: "\(c)-\(i)\(suffix)", cohort: "C", errorClass: c, sourceOffset: i)
                }
            }
        }

        static func run(_ bootstrap: String, _ dlq: String, _ input: String, group: String, _ extra: [String] = []) async throws -> Finished {
            try await CLI.run(
                [
                    "redrive", "--brokers", bootstrap, "--from", dlq, "--to", input, "--group", group,
                    "--log-level", "error",
                ] + extra, timeout: .seconds(60))
        }

        // What a redrive republishes and counts per class, once per progress group, is
        // ApplicationTests' (RedriveTests); here, what the command prints and exits with.
        @Test("--dry-run publishes and commits nothing")
        func dryRun() async throws {
            let (dlq, input, group) = (CLI.unique("dlq"), CLI.unique("in"), CLI.unique("redrive"))
            try await TestKafka.withCluster([dlq: 2, input: 2]) { bootstrap in
                try await Downstream.publish(bootstrap, Self.deadLetters(dlq))
                let dry = try await Self.run(bootstrap, dlq, input, group: group, ["--dry-run", "--class", "retries-exhausted"])
                #expect(dry.status == .exited(0), "\(dry)")
                #expect(dry.stdout.contains("dry run"), "\(dry)")
                #expect(dry.stdout.contains("retries-exhausted") && dry.stdout.contains("would redrive"), "\(dry)")
                #expect(try await TopicCount.records(bootstrap, topic: input) == 0)
                let committed = try await TestKafka.committed(bootstrap, group: "\(group).retries-exhausted", topic: dlq, partitions: 2)
                #expect(committed.values.allSatisfy { $0 < 0 }, "nothing committed: \(committed)")
                let real = try await Self.run(bootstrap, dlq, input, group: group, ["--class", "retries-exhausted"])
                #expect(real.redriveTable["retries-exhausted"] == [2, 2, 0], "\(real)")
                #expect(try await TopicCount.records(bootstrap, topic: input) == 2)
            }
        }

        @Test("a record that cannot be published: exit 1, nothing committed from it on, the next redrive republishes from it")
        func publishFailureStopsTheCommit() async throws {
            let (dlq, input, group) = (CLI.unique("dlq"), CLI.unique("in"), CLI.unique("redrive"))
            try await TestKafka.withCluster([dlq: 1, input: 1]) { bootstrap in
                // f-1 is bigger than the redrive producer's message.max.bytes (set below): it fails.
                let big = #"{"user_id":"f-1","pad":"\#(String(repeating: "y", count: 5_000))"}"#
                try await Downstream.publish(
                    bootstrap,
                    [
                        Downstream.deadLetter(topic: dlq, user: "f-0", cohort: "C", errorClass: "api-rejected"),
                        Downstream.deadLetter(topic: dlq, user: "f-1", cohort: "C", errorClass: "api-rejected", value: big),
                        Downstream.deadLetter(topic: dlq, user: "f-2", cohort: "C", errorClass: "api-rejected"),
                    ])
                let failed = try await CLI.run(
                    [
                        "redrive", "--brokers", bootstrap, "--from", dlq, "--to", input,
                        "--group", group, "--log-level", "critical",
                    ],
                    environment: ["CARDGENIUS_KAFKA_PROPERTIES": #"{"message.max.bytes":"1000","compression.codec":"none"}"#],
                    timeout: .seconds(60))
                #expect(failed.status == .exited(1), "\(failed)")
                #expect(
                    failed.stderrLines.contains { $0.hasPrefix("Error:") && $0.contains("not acknowledged") && $0.contains("\(dlq)/0/1") },
                    "\(failed)")
                let committed = try await TestKafka.committed(bootstrap, group: "\(group).api-rejected", topic: dlq, partitions: 1)
                #expect(committed[0] == 1, "committed up to the failed record only: \(committed)")
                let retry = try await Self.run(bootstrap, dlq, input, group: group)
                #expect(retry.status == .exited(0), "\(retry)")
                #expect(retry.redriveTable["api-rejected"] == [2, 2, 0], "from the failed record on: \(retry)")
                let keys = try await Downstream.all(bootstrap, topic: input).compactMap(\.keyString)
                #expect(keys.filter { $0 == "f-0" }.count == 1, "f-0 once: \(keys)")
                #expect(keys.filter { $0 == "f-1" }.count == 1, "f-1 once: \(keys)")
            }
        }

        @Test("an unknown --class is refused with one line naming it and the valid classes")
        func unknownClass() async throws {
            let result = try await CLI.run(["redrive", "--brokers", "127.0.0.1:9", "--class", "timeout"], timeout: .seconds(30))
            #expect(result.status == .exited(64) || result.status == .exited(1), "\(result)")
            let line = try #require(result.stderrLines.first { $0.hasPrefix("Error:") }, "\(result)")
            #expect(line.contains(#""timeout""#) && line.contains("invalid-record, api-rejected, retries-exhausted"), "\(line)")
        }

        @Test("end to end: an invalid record redriven unchanged is dead-lettered again with its redrive.from lineage kept")
        func invalidRecordComesBack() async throws {
            let (input, output, dlq) = (CLI.unique("in"), CLI.unique("out"), CLI.unique("dlq"))
            let api = try ChildProcess(["simulate-api", "--port", "0", "--latency-ms", "0", "--log-level", "error"])
            let listening = await waitUntil(timeout: .seconds(30)) { api.stdout.contains("listening on ") }
            try #require(listening, "simulate-api did not start\n\(api.stderr)")
            let url = try #require(api.stdout.split(separator: "\n").first { $0.hasPrefix("listening on ") }?.dropFirst("listening on ".count))
            try await TestKafka.withCluster([input: 2, output: 2, dlq: 2]) { bootstrap in
                let env = [
                    "CARDGENIUS_KAFKA_INPUT_TOPIC": input, "CARDGENIUS_KAFKA_OUTPUT_TOPIC": output,
                    "CARDGENIUS_KAFKA_DLQ_TOPIC": dlq, "CARDGENIUS_API_URL": String(url) + "/cg/api/pro",
                ]
                try await Downstream.publish(
                    bootstrap,
                    [
                        Downstream.input(topic: input, user: "good-1", cohort: "E"),
                        Downstream.input(topic: input, user: "bad-1", cohort: "E", value: #"{"user_id":"bad-1","fuel":"12k"}"#),
                    ])
                let group = CLI.unique("pipeline")
                func consume() async throws -> Finished {
                    try await CLI.run(
                        [
                            "consume", "--brokers", bootstrap, "--group", group, "--exit-when-idle", "2",
                            "--metrics-port", "0", "--log-level", "error",
                        ], environment: env, timeout: .seconds(90))
                }
                let firstConsume = try await consume()
                #expect(firstConsume.status == .exited(0), "\(firstConsume)")
                let firstDead = try await Downstream.all(bootstrap, topic: dlq)
                try #require(firstDead.count == 1, "one dead letter: \(firstDead.map { "\($0.keyString ?? "") \($0.headers)" })\n\(firstConsume)")
                #expect(firstDead[0].headers.string("error.class") == "invalid-record")

                let redrive = try await CLI.run(
                    ["redrive", "--brokers", bootstrap, "--group", CLI.unique("redrive"), "--log-level", "error"],
                    environment: env, timeout: .seconds(60))
                #expect(redrive.status == .exited(0), "\(redrive)")
                #expect(redrive.redriveTable["invalid-record"] == [1, 1, 0], "\(redrive)")

                let secondConsume = try await consume()
                #expect(secondConsume.status == .exited(0), "\(secondConsume)")
                let dead = try await Downstream.all(bootstrap, topic: dlq)
                try #require(dead.count == 2, "dead-lettered again: \(dead.count)\n\(secondConsume)")
                let again = try #require(dead.first { $0.headers.string("redrive.from") != nil })
                #expect(again.headers.string("redrive.from") == "\(dlq)/\(firstDead[0].partition)/\(firstDead[0].offset)")
                #expect(again.headers.string("error.class") == "invalid-record")
                #expect(again.headers.string("cohort") == "E")
                #expect(again.key == firstDead[0].key && again.value == firstDead[0].value)
                #expect(again.headers.filter { $0.name == "error.class" }.count == 1, "no stacked dead-letter headers")

                let report = try await CLI.run(
                    ["report", "--brokers", bootstrap, "--cohort", "E", "--json", "--log-level", "error"],
                    environment: env, timeout: .seconds(60))
                #expect(report.status == .exited(0), "\(report)")
                let object = try #require(jsonObject(report.stdoutLines.last ?? ""), "\(report)")
                #expect(object["users_published"] as? Int == 2)
                #expect(object["records_published"] as? Int == 3, "two published, one redriven")
                #expect(object["users_recommended"] as? Int == 1)
                #expect((object["dead_lettered_by_class"] as? [String: Int])?["invalid-record"] == 1)
                #expect(object["pending"] as? Int == 0)
            }
            api.signal(SIGTERM)
            _ = await api.waitForExit(timeout: .seconds(10))
        }
    }
}

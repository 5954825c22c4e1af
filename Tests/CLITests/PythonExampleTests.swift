import Foundation
import Kafka
import ProcessTestSupport
import Testing

extension CLITests {
    @Suite("docs/examples/read_recommendations.py against a broker")
    struct PythonExampleTests {
        static let python = "/usr/bin/python3"
        static var script: String {
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("docs/examples/read_recommendations.py").path
        }

        /// Runs `python3 arguments` to completion; nil status on time-out.
        static func runPython(
            _ arguments: [String], environment: [String: String] = [:],
            timeout: Duration = .seconds(60)
        ) async throws -> (status: Int32?, stdout: String, stderr: String) {
            let process = try ChildProcess(arguments, executable: python, environment: environment)
            let status = await process.waitForExit(timeout: timeout)
            if status == nil { process.signal(SIGTERM) }
            guard case .exited(let code)? = status else { return (nil, process.stdout, process.stderr) }
            return (code, process.stdout, process.stderr)
        }

        @Test("the data-team example reads to the end, keeps the newest result per user and prints the summary")
        func readsNewestPerUser() async throws {
            let probe = try await Self.runPython(["-c", "import confluent_kafka"])
            try #require(
                probe.status == 0,
                """
                \(Self.python) cannot import confluent_kafka (\(probe.stderr.split(separator: "\n").last ?? "")): \
                run `make python-deps` (installs Debian's python3-confluent-kafka)
                """)
            let topic = CLI.unique("recs")
            try await TestKafka.withCluster([topic: 3]) { bootstrap in
                let gold = Downstream.Card(id: 1, name: "Gold, Rewards", yearly: 500, roi: 4.5)
                let travel = Downstream.Card(id: 2, name: "Travel \"Plus\"", yearly: 300, roi: 2)
                var records: [KafkaProducerRecord] = []
                // u1: first Gold best, then (newer) Travel best — the newest wins.
                records.append(
                    Downstream.output(topic: topic, user: "u1", cohort: "A", value: Downstream.outputValue(user: "u1", cohort: "A", cards: [gold, travel])))
                records.append(
                    Downstream.output(
                        topic: topic, user: "u1", cohort: "A", value: Downstream.outputValue(user: "u1", cohort: "A", offset: 1, cards: [travel, gold])))
                for u in ["u2", "u3", "u4"] {
                    records.append(Downstream.output(topic: topic, user: u, cohort: "A", value: Downstream.outputValue(user: u, cohort: "A", cards: [gold])))
                }
                records.append(Downstream.output(topic: topic, user: "u5", cohort: "B", value: Downstream.outputValue(user: "u5", cohort: "B", cards: [])))
                records.append(KafkaProducerRecord(topic: topic, key: Array("junk".utf8), value: Array("not json".utf8)))
                try await Downstream.publish(bootstrap, records)

                let json = try await Self.runPython(
                    [Self.script, "--json"],
                    environment: ["BOOTSTRAP_SERVERS": bootstrap, "RECOMMENDATIONS_TOPIC": topic])
                #expect(json.status == 0, "stdout:\n\(json.stdout)\nstderr:\n\(json.stderr)")
                let object = try #require(jsonObject(json.stdout.split(separator: "\n").last.map(String.init) ?? ""), "\(json.stdout)\n\(json.stderr)")
                #expect(object["users"] as? Int == 5)
                #expect(object["records"] as? Int == 7)
                #expect(object["skipped"] as? Int == 1)
                #expect(object["no_savings"] as? Int == 1)
                #expect(object["best_card_counts"] as? [String: Int] == ["Gold, Rewards": 3, "Travel \"Plus\"": 1])
                #expect(json.stderr.contains("skipped \(topic)/"), "\(json.stderr)")

                let text = try await Self.runPython([Self.script, "--bootstrap-servers", bootstrap, "--topic", topic, "--cohort", "A"])
                #expect(text.status == 0, "\(text.stderr)")
                #expect(text.stdout == "users=4 records=7 skipped=1 no_savings=0 best_card_counts=Gold, Rewards:3,Travel \"Plus\":1\n", "\(text.stdout)")
            }
        }
    }
}

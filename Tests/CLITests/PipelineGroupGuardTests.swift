import Foundation
import Kafka
import Testing

extension CLITests {
    /// `export --group G` and `tail --group G --commit` join G and commit: given the
    /// pipeline's own group, or any group with committed offsets on the input topic, they
    /// would mark input records done that no member processed.
    @Suite("export and tail never commit as a pipeline group")
    struct PipelineGroupGuardTests {
        @Test("the pipeline's kafka.group_id, or a group with input offsets, is refused with exit 2 naming the right command")
        func refused() async throws {
            let scratch = try ScratchDirectory()
            let input = CLI.unique("in")
            let output = CLI.unique("out")
            try await TestKafka.withCluster([input: 2, output: 2]) { bootstrap in
                let env = [
                    "CARDGENIUS_KAFKA_INPUT_TOPIC": input, "CARDGENIUS_KAFKA_OUTPUT_TOPIC": output,
                    "CARDGENIUS_KAFKA_GROUP_ID": "recommenders",
                ]
                // The pipeline's own group, by name.
                let own = try await CLI.run(
                    [
                        "export", "--brokers", bootstrap, "--group", "recommenders",
                        "--output", scratch.file("a.jsonl"), "--log-level", "error",
                    ], environment: env)
                #expect(own.status == .exited(2), "\(own)")
                #expect(own.stderr.contains("pipeline's consumer group") && own.stderr.contains("cardgenius replay"), "\(own.stderr)")
                // Another group that has committed input offsets: a pipeline group too.
                let other = CLI.unique("copy")
                let committer = try KafkaConsumer(configuration: .init(bootstrapServers: bootstrap, groupID: other), logger: CLI.logger())
                try await committer.commit([KafkaPartitionOffset(topic: input, partition: 0, offset: 3)])
                await committer.close()
                for args in [
                    ["export", "--group", other, "--output", scratch.file("b.jsonl")],
                    ["tail", "--group", other, "--commit", "--exit-when-idle", "1"],
                ] {
                    let r = try await CLI.run(args + ["--brokers", bootstrap, "--log-level", "error"], environment: env)
                    #expect(r.status == .exited(2), "\(args[0]): \(r)")
                    #expect(r.stderr.contains("committed offsets on the input topic \(input)"), "\(args[0]): \(r.stderr)")
                }
                // A group of the tool's own is fine.
                let fine = try await CLI.run(
                    [
                        "tail", "--brokers", bootstrap, "--group", CLI.unique("tail"), "--commit",
                        "--exit-when-idle", "1", "--log-level", "error",
                    ], environment: env)
                #expect(fine.status == .exited(0), "\(fine)")
            }
        }
    }
}

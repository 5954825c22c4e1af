import Foundation
import Kafka
import KafkaTestSupport
import Operations
import ProcessTestSupport
import Testing

/// `redrive`'s work in this process against the dev broker: what it republishes, its counts
/// per class, and that each class's progress group keeps a dead letter from going twice.
/// `--dry-run`'s lines, exit codes and flag errors stay in CLITests.
@Suite("Redrive", .serialized)
struct RedriveTests {
    static let classes = ["invalid-record", "api-rejected", "retries-exhausted"]

    static func deadLetter(user: String, errorClass: String, sourceOffset: Int = 0) -> KafkaProducerRecord {
        DeadLetterFixture.record(topic: "dlq", user: user, cohort: "C", errorClass: errorClass, sourceOffset: sourceOffset)
    }

    /// Two dead letters per class (users `<class>-0`, `<class>-1`).
    static let deadLetters = classes.flatMap { c in (0..<2).map { deadLetter(user: "\(c)-\($0)", errorClass: c, sourceOffset: $0) } }

    /// A dev broker with the `dlq` and `in` topics (2 partitions each) holding `deadLetters`.
    static func withDeadLetters(_ body: (_ bootstrap: String) async throws -> Void) async throws {
        let cluster = try KafkaMockCluster(brokers: 1, logger: AppHarness.logger())
        do {
            try cluster.createTopic("dlq", partitions: 2)
            try cluster.createTopic("in", partitions: 2)
            try await AppHarness.publish(cluster.bootstrapServers, deadLetters)
            try await body(cluster.bootstrapServers)
        } catch {
            await cluster.shutdown()
            throw error
        }
        await cluster.shutdown()
    }

    /// A redrive from `dlq` to `in` of `classNames` (all when empty), as `redrive` runs it.
    static func redrive(_ bootstrap: String, group: String, _ classNames: [String] = []) async throws -> RedriveSummary {
        let redriver = DeadLetterRedriver(KafkaAccess(bootstrapServers: bootstrap, logger: AppHarness.logger()))
        let summary = try await redriver.redrive(
            from: "dlq", to: "in", selection: try RedriveSelection(classNames: classNames, groupPrefix: group),
            dryRun: false
        ) { _ in }
        #expect(summary.failed == 0 && !summary.interrupted, "\(summary)")
        return summary
    }

    /// A class's (seen, redriven, skipped), as a row of the table `redrive` prints.
    static func row(_ summary: RedriveSummary, _ name: String) -> [Int]? {
        let counts = name == "total" ? summary.total : summary.byClass[name]
        return counts.map { [$0.seen, $0.redriven, $0.skipped] }
    }

    /// Checks that `republished` are exactly the dead letters of `classes` in `dlqRecords`,
    /// with the original key, value and cohort, the lineage headers and no dead-letter headers.
    static func expectRepublished(
        _ republished: [KafkaRecord], of dlqRecords: [KafkaRecord], classes: Set<String>,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let wanted = dlqRecords.filter { classes.contains($0.headers.string("error.class") ?? "") }
        var byOrigin: [String: KafkaRecord] = [:]
        for r in wanted { byOrigin["\(r.topic)/\(r.partition)/\(r.offset)"] = r }
        #expect(republished.count == wanted.count, "\(republished.count) republished, \(wanted.count) expected", sourceLocation: sourceLocation)
        var seen = Set<String>()
        for r in republished {
            let from = r.headers.string("redrive.from") ?? "none"
            guard let original = byOrigin[from] else {
                Issue.record("redrive.from \(from) names no expected dead letter", sourceLocation: sourceLocation)
                continue
            }
            #expect(seen.insert(from).inserted, "\(from) republished twice", sourceLocation: sourceLocation)
            #expect(r.key == original.key, sourceLocation: sourceLocation)
            #expect(r.value == original.value, "value byte for byte", sourceLocation: sourceLocation)
            #expect(r.headers.string("cohort") == original.headers.string("cohort"), sourceLocation: sourceLocation)
            #expect(r.headers.string("redrive.at")?.hasSuffix("Z") == true, sourceLocation: sourceLocation)
            let names = r.headers.map(\.name)
            #expect(
                !names.contains { $0.hasPrefix("error.") || $0.hasPrefix("source.") || $0 == "failed_at" },
                "dead-letter headers dropped: \(names)", sourceLocation: sourceLocation)
        }
    }

    @Test("every class is republished with key, value and cohort; a second redrive republishes nothing; a new dead letter only itself")
    func redriveEveryClassOnce() async throws {
        let group = TestLogging.unique("redrive")
        try await Self.withDeadLetters { bootstrap in
            let first = try await Self.redrive(bootstrap, group: group)
            for c in Self.classes { #expect(Self.row(first, c) == [2, 2, 0], "\(c): \(first.table())") }
            #expect(Self.row(first, "total") == [6, 6, 0], "\(first.table())")
            let dlqRecords = try await AppHarness.all(bootstrap, topic: "dlq")
            Self.expectRepublished(try await AppHarness.all(bootstrap, topic: "in"), of: dlqRecords, classes: Set(Self.classes))

            let second = try await Self.redrive(bootstrap, group: group)
            #expect(second.total.redriven == 0, "\(second.table())")
            #expect(try await TopicCount.records(bootstrap, topic: "in") == 6, "nothing republished twice")

            try await AppHarness.publish(bootstrap, [Self.deadLetter(user: "late", errorClass: "api-rejected")])
            let third = try await Self.redrive(bootstrap, group: group)
            #expect(Self.row(third, "api-rejected") == [1, 1, 0], "\(third.table())")
            let all = try await AppHarness.all(bootstrap, topic: "in")
            #expect(all.count == 7)
            #expect(all.filter { $0.keyString == "late" }.count == 1)
        }
    }

    @Test("one class republishes only it; a later redrive of the others republishes them, and a plain one nothing again")
    func classFilter() async throws {
        let group = TestLogging.unique("redrive")
        try await Self.withDeadLetters { bootstrap in
            let dlqRecords = try await AppHarness.all(bootstrap, topic: "dlq")
            let only = try await Self.redrive(bootstrap, group: group, ["api-rejected"])
            #expect(Self.row(only, "api-rejected") == [2, 2, 0], "\(only.table())")
            #expect(Self.row(only, "invalid-record") == [2, 0, 2], "\(only.table())")
            Self.expectRepublished(try await AppHarness.all(bootstrap, topic: "in"), of: dlqRecords, classes: ["api-rejected"])

            let two = try await Self.redrive(bootstrap, group: group, ["invalid-record", "retries-exhausted"])
            #expect(two.total.redriven == 4, "\(two.table())")
            let rest = try await Self.redrive(bootstrap, group: group)
            #expect(rest.total.redriven == 0, "\(rest.table())")
            Self.expectRepublished(try await AppHarness.all(bootstrap, topic: "in"), of: dlqRecords, classes: Set(Self.classes))
        }
    }
}

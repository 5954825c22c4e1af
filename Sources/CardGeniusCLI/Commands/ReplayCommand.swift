import ArgumentParser
import CardGeniusApp
import Foundation
import Kafka
import Logging
import Operations

/// `cardgenius replay`: moves a consumer group's committed offsets so its members
/// reprocess (or skip) records — to the beginning, an offset, a time, or by a shift.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Reset a consumer group's committed offsets (earliest, latest, an offset, a time, or a shift) so its members reprocess records.",
        discussion: """
            Prints a table per partition (committed offset, target, records to reprocess or skip, \
            low/high watermarks); targets outside [low, high] are clamped. --dry-run stops there. \
            Applying needs --yes (or a "y" on a terminal) and an idle group: replay refuses (exit 2) \
            while other members are active — it asks DescribeConsumerGroups (real Kafka) and then joins \
            the group with the pipeline's assignment strategy; getting every partition means no one else \
            is there. It then commits the targets with empty metadata (so the pipeline's \
            completed-offset marks are dropped), leaves, and reads the offsets back. Partitions not \
            selected by --partition keep their offsets and metadata.

            A time (--to 2026-11-23T00:00:00Z, or a bare date = midnight UTC) resolves to the first \
            record at or after it: ListOffsets first, else a binary search over record timestamps \
            (assumes timestamps do not decrease within a partition).

            Exit status: 0 applied or dry run, 1 error, 2 refused.
            """
    )

    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: "The consumer group (default: kafka.group_id).")
    var group: String?

    @Option(name: .long, help: "The topic (default: kafka.input_topic).")
    var topic: String?

    @Option(name: .long, help: ArgumentHelp("earliest, latest, an offset, or an ISO-8601 time (2026-11-23T00:00:00Z, 2026-11-23).", valueName: "TARGET"))
    var to: String?

    @Option(
        name: .customLong("shift-by"), parsing: .unconditional,
        help: ArgumentHelp("Move each committed offset by N (negative: reprocess N more per partition).", valueName: "N"))
    var shiftBy: String?

    @Option(name: .long, parsing: .singleValue, help: ArgumentHelp("Only this partition (repeatable; default: all).", valueName: "P"))
    var partition: [String] = []

    @Flag(name: .long, help: "Print the plan and change nothing.")
    var dryRun = false

    @Flag(name: .long, help: "Apply without asking.")
    var yes = false

    @Flag(name: .long, help: "After applying, follow the group's progress through the replayed records until it reaches the end (Ctrl-C to stop watching).")
    var watch = false

    @Option(name: .long, help: ArgumentHelp("With --watch off a terminal: a progress line every this many seconds.", valueName: "SECONDS"))
    var progressInterval: Double = 10

    @Option(name: .long, help: ArgumentHelp("How long joining the group may take (a killed member's session must expire first).", valueName: "SECONDS"))
    var joinTimeout: Double = 60

    /// The parsed target and partitions, or a one-line error naming the flag.
    func parsedInputs() throws -> (ReplayTarget, Set<Int32>) {
        let target: ReplayTarget
        switch (to, shiftBy) {
        case (nil, nil):
            throw StartupError("replay: say where to go: --to earliest|latest|OFFSET|TIMESTAMP or --shift-by N")
        case (.some, .some):
            throw StartupError("replay: --to and --shift-by exclude each other; use one")
        case (let to?, nil):
            do { target = try ReplayTarget.parse(to: to) } catch { throw StartupError("replay: \(error.message)") }
        case (nil, let shift?):
            guard let n = Int64(shift.trimmingCharacters(in: .whitespaces)) else {
                throw StartupError("replay: --shift-by \"\(shift)\": expected a whole number of records, e.g. -1000")
            }
            target = .shift(n)
        }
        var partitions = Set<Int32>()
        for p in partition {
            guard let n = Int32(p.trimmingCharacters(in: .whitespaces)), n >= 0 else {
                throw StartupError("replay: --partition \"\(p)\": expected a partition number >= 0")
            }
            partitions.insert(n)
        }
        guard progressInterval > 0, progressInterval.isFinite else {
            throw StartupError("replay: --progress-interval must be > 0 seconds, got \(progressInterval)")
        }
        guard joinTimeout > 0, joinTimeout.isFinite else {
            throw StartupError("replay: --join-timeout must be > 0 seconds, got \(joinTimeout)")
        }
        return (target, partitions)
    }

    func run() async throws {
        let settings = try common.settings()
        let (target, selected) = try parsedInputs()
        let logger = common.logging.makeLogger("cardgenius.replay")
        let topic = topic ?? settings.kafka.inputTopic
        let group = group ?? settings.kafka.groupID
        guard !group.isEmpty else { throw StartupError("replay: --group must not be empty") }
        let access = KafkaAccess(settings, logger: logger)
        var executor = ReplayExecutor(access, topic: topic, groupID: group)
        executor.joinTimeout = .milliseconds(Int64(joinTimeout * 1000))

        let plan: ReplayPlan
        do {
            plan = try await executor.plan(target: target, partitions: selected)
        } catch let error as OperationError {
            throw StartupError("replay: \(error.message)")
        } catch let error as KafkaError where error.code == .unknownTopicOrPartition {
            throw StartupError("replay: topic \(topic) does not exist at \(settings.kafka.bootstrapServers)")
        } catch {
            throw StartupError("replay: cannot read \(topic) and group \(group) at \(settings.kafka.bootstrapServers): \(StartupError.describe(error))")
        }
        print(plan.renderTable())
        if dryRun {
            print("dry run: nothing changed")
            return
        }

        // 1. DescribeConsumerGroups, where the broker answers it (real Kafka).
        switch await executor.describe() {
        case .described(let description):
            if case .active(let evidence) = GroupDescriber.activity(of: description) {
                Self.refuse(OperationError.activeMembers(group: group, evidence: evidence))
            }
            print("members: none listed by DescribeConsumerGroups (state \(description.state.rawValue))")
        case .unavailable(let reason):
            print("members: DescribeConsumerGroups not available (\(reason)); checking by joining the group")
        }

        // 2. Confirmation.
        let count = plan.partitions.count
        if !yes {
            guard isatty(STDIN_FILENO) != 0 else {
                Self.refuse(
                    OperationError(.notConfirmed, "replay: not applied: stdin is not a terminal; add --yes to reset \(count) partition(s) of group \(group)"))
            }
            FileHandle.standardError.write(Data("Reset \(count) partitions of group \(group)? [y/N] ".utf8))
            let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
            guard answer == "y" || answer == "yes" else {
                Self.refuse(OperationError(.notConfirmed, "replay: not applied (not confirmed)"))
            }
        }

        // 3. Join as the sole member, commit, leave, verify.
        let applied: ReplayExecutor.Applied
        do {
            applied = try await executor.apply(plan)
        } catch let refusal as OperationError where refusal.isRefusal {
            Self.refuse(refusal)
        } catch {
            throw StartupError("replay: the reset of group \(group) failed: \(StartupError.describe(error))")
        }
        var out = "reset \(count) partition(s) of group \(group) on \(topic):"
        for p in plan.partitions {
            let now = applied.verified[p.topicPartition].map { String($0.offset) } ?? "none"
            out += " \(p.topicPartition.partition)@\(now)"
        }
        print(out)
        guard applied.mismatches.isEmpty else {
            throw StartupError("replay: read back differs from the plan: " + applied.mismatches.joined(separator: "; "))
        }
        print("verified: the group's committed offsets equal the targets, metadata cleared; \(plan.totalReprocess) record(s) to reprocess")
        // stdout may be a pipe (block-buffered): the result must be visible while --watch runs.
        fflush(nil)
        if watch {
            try await ReplayWatch(executor: executor, plan: plan, interval: progressInterval, logger: logger).run()
        }
    }

    static func refuse(_ refusal: OperationError) -> Never { refusal.exitAsRefusal() }
}

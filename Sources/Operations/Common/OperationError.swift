/// A problem that stops an operation (`replay`, `status`, `export`, `redrive`, `report`),
/// as one line for people — naming the flag, value, file or topic and why — and a stable
/// code for programs.
package struct OperationError: Error, Sendable, CustomStringConvertible, Hashable {
    /// A stable error code.
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        package let rawValue: String
        package init(rawValue: String) { self.rawValue = rawValue }
        package var description: String { rawValue }

        /// A flag or argument has a value the operation cannot use.
        package static let invalidArgument = Code(rawValue: "invalid-argument")
        /// A topic the operation needs does not exist.
        package static let missingTopic = Code(rawValue: "missing-topic")
        /// A file could not be written, synced or renamed.
        package static let io = Code(rawValue: "io")
        /// The broker did not acknowledge a record.
        package static let publishFailed = Code(rawValue: "publish-failed")
        /// SIGINT or SIGTERM ended the operation early.
        package static let interrupted = Code(rawValue: "interrupted")
        /// Offsets could not be read or committed.
        package static let offsets = Code(rawValue: "offsets")
        /// A timestamp that is not ISO-8601 (or names an impossible date or time).
        package static let invalidTimestamp = Code(rawValue: "invalid-timestamp")
        /// A `--to` value that is neither a keyword, an offset nor a timestamp.
        package static let invalidTarget = Code(rawValue: "invalid-target")
        /// A partition the topic does not have.
        package static let unknownPartition = Code(rawValue: "unknown-partition")
        /// Flags that contradict each other or are missing.
        package static let conflictingFlags = Code(rawValue: "conflicting-flags")
        /// A number out of range.
        package static let outOfRange = Code(rawValue: "out-of-range")
        /// Refused (`replay`, exit status 2): the group has active members.
        package static let activeMembers = Code(rawValue: "active-members")
        /// Refused (`replay`, exit status 2): not confirmed (no `--yes` off a terminal, or answered no).
        package static let notConfirmed = Code(rawValue: "not-confirmed")
        /// Refused (`export --group`, `tail --group --commit`, exit status 2): the group is the
        /// pipeline's, or has committed offsets on the input topic.
        package static let pipelineGroup = Code(rawValue: "pipeline-group")
    }

    /// What went wrong, as a stable code.
    package var code: Code
    /// One line for people, naming the file, flag or topic and why.
    package var message: String

    package init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    package var description: String { message }

    /// Whether this is a refusal (the operation declined to act) rather than a failure.
    package var isRefusal: Bool { code == .activeMembers || code == .notConfirmed || code == .pipelineGroup }

    /// The refusal for a group with active members.
    package static func activeMembers(group: String, evidence: String) -> OperationError {
        OperationError(
            .activeMembers, "group \(group) has active members (\(evidence)); stop them first (e.g. SIGTERM the consume processes) and run replay again")
    }
}

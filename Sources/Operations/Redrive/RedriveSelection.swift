import Pipeline

/// Which dead-letter classes a redrive republishes, and the consumer groups that remember
/// how far each class has been redriven.
///
/// Progress is kept per class, in group `<prefix>.<class>` on the dead-letter topic
/// (`cardgenius-redrive.invalid-record`, `cardgenius-redrive.api-rejected`,
/// `cardgenius-redrive.retries-exhausted` by default), so `redrive --class api-rejected`
/// followed by a plain `redrive` never republishes the same dead letter twice.
package struct RedriveSelection: Sendable, Hashable {
    /// The default group prefix.
    package static let defaultGroupPrefix = "cardgenius-redrive"

    /// The selected classes, in ``DeadLetterClass/allCases`` order.
    package var classes: [DeadLetterClass]
    /// The prefix of the per-class group ids.
    package var groupPrefix: String

    /// Every class.
    package init(groupPrefix: String = RedriveSelection.defaultGroupPrefix) {
        self.classes = DeadLetterClass.allCases
        self.groupPrefix = groupPrefix
    }

    /// The classes named by `--class` flags (all of them when `names` is empty).
    /// - Throws: ``OperationError`` (`invalid-argument`) naming the unknown class and the valid ones.
    package init(classNames names: [String], groupPrefix: String = RedriveSelection.defaultGroupPrefix) throws(OperationError) {
        var chosen = Set<DeadLetterClass>()
        for name in names {
            guard let c = DeadLetterClass(rawValue: name) else {
                let valid = DeadLetterClass.allCases.map(\.rawValue).joined(separator: ", ")
                throw OperationError(.invalidArgument, "--class \"\(name)\" is not a dead-letter class (one of \(valid))")
            }
            chosen.insert(c)
        }
        guard !groupPrefix.isEmpty else { throw OperationError(.invalidArgument, "--group must not be empty") }
        self.classes = names.isEmpty ? DeadLetterClass.allCases : DeadLetterClass.allCases.filter(chosen.contains)
        self.groupPrefix = groupPrefix
    }

    /// Whether dead letters of `c` are republished.
    package func includes(_ c: DeadLetterClass) -> Bool { classes.contains(c) }

    /// The group that keeps the redrive progress of `c`.
    package func groupID(for c: DeadLetterClass) -> String { "\(groupPrefix).\(c.rawValue)" }
}

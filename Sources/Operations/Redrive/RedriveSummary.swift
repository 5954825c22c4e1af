import Pipeline

/// What a redrive did, per dead-letter class.
package struct RedriveSummary: Sendable, Hashable {
    /// Counts of one class.
    package struct Counts: Sendable, Hashable {
        /// Dead letters of the class read in this run.
        package var seen = 0
        /// Republished (with `--dry-run`: would have been).
        package var redriven = 0
        /// Not republished: class not selected, already redriven by an earlier run, or no
        /// known `error.class`.
        package var skipped = 0
        package init() {}
    }

    /// The row name of dead letters without a known `error.class` (never republished).
    package static let unknownClass = "unknown"

    /// Counts by class name (every ``DeadLetterClass``, plus ``unknownClass`` when seen).
    package var byClass: [String: Counts]
    /// Records the broker did not acknowledge.
    package var failed = 0
    /// The first delivery error.
    package var firstFailure: String?
    /// Whether nothing was published or committed.
    package var dryRun: Bool
    /// Dead letters read.
    package var read = 0
    /// Dead letters to read in this run (from the committed offsets to the end at the start).
    package var toRead = 0
    /// Whether the redrive was stopped (SIGINT/SIGTERM) before reading everything.
    package var interrupted = false

    package init(dryRun: Bool) {
        self.dryRun = dryRun
        byClass = Dictionary(uniqueKeysWithValues: DeadLetterClass.allCases.map { ($0.rawValue, Counts()) })
    }

    /// Row names in table order.
    package var classNames: [String] {
        DeadLetterClass.allCases.map(\.rawValue) + (byClass[Self.unknownClass] == nil ? [] : [Self.unknownClass])
    }

    /// The sum over every class.
    package var total: Counts {
        byClass.values.reduce(into: Counts()) { t, c in
            t.seen += c.seen
            t.redriven += c.redriven
            t.skipped += c.skipped
        }
    }

    /// A table: class, seen, redriven, skipped, and a total row.
    package func table() -> String {
        let rows = classNames.map { ($0, byClass[$0] ?? Counts()) } + [("total", total)]
        let width = max(5, rows.map(\.0.count).max() ?? 0)
        func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(0, n - s.count)) }
        func num(_ v: Int) -> String {
            let s = String(v)
            return String(repeating: " ", count: max(0, 9 - s.count)) + s
        }
        var out = pad("class", width) + "      seen  " + (dryRun ? "would redrive" : " redriven") + "   skipped\n"
        for (name, c) in rows {
            out += pad(name, width) + " " + num(c.seen) + "  " + (dryRun ? "    " : "") + num(c.redriven) + " " + num(c.skipped) + "\n"
        }
        return out
    }
}

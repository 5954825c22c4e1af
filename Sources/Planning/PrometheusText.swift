/// The Prometheus text exposition format (version 0.0.4), parsed into samples.
///
/// Handles `# HELP` / `# TYPE` lines and other comments, blank lines, label sets with
/// escaped values (`\\`, `\"`, `\n`) and a trailing comma, values `+Inf`, `-Inf`, `NaN`
/// and floats in any form Go's `ParseFloat` writes, optional integer timestamps, CRLF line
/// ends, and the OpenMetrics `# EOF` marker. Pure: no I/O.
package struct PrometheusText: Sendable, Equatable {
    /// The samples in the order they appear.
    package var samples: [PrometheusSample]
    /// `# TYPE` declarations: metric family name to type (`counter`, `histogram`, ...).
    package var types: [String: String]
    /// `# HELP` texts, unescaped.
    package var help: [String: String]

    /// Parses an exposition; throws on the first malformed line.
    package init(parsing text: String) throws(PlanningError) {
        samples = []
        types = [:]
        help = [:]
        var lineNumber = 0
        // "\r\n" is one Character in Swift, so split on it as well as on "\n".
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNumber += 1
            var line = Substring(rawLine)
            if line.hasSuffix("\r") { line.removeLast() }
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.isEmpty { continue }
            if trimmed.first == "#" {
                parseComment(trimmed.dropFirst())
                continue
            }
            samples.append(try Self.parseSample(trimmed, line: lineNumber))
        }
    }

    /// The samples of an exposition (see ``init(parsing:)``).
    package static func parse(_ text: String) throws(PlanningError) -> [PrometheusSample] {
        try PrometheusText(parsing: text).samples
    }

    /// Samples named `name`, in order.
    package func samples(named name: String) -> [PrometheusSample] {
        samples.filter { $0.name == name }
    }

    // MARK: Comments

    private mutating func parseComment(_ rest: Substring) {
        var words = Scanner(rest)
        words.skipBlanks()
        let keyword = words.word()
        guard keyword == "HELP" || keyword == "TYPE" else { return }
        words.skipBlanks()
        let name = words.word()
        guard !name.isEmpty else { return }
        words.skipOneBlank()
        let text = words.remainder
        if keyword == "TYPE" {
            types[String(name)] = text.trimmingBlanks().lowercased()
        } else {
            help[String(name)] = Self.unescapeHelp(text)
        }
    }

    private static func unescapeHelp(_ s: Substring) -> String {
        var out = ""
        var escaped = false
        for c in s {
            if escaped {
                out.append(c == "n" ? "\n" : c)
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else {
                out.append(c)
            }
        }
        if escaped { out.append("\\") }
        return out
    }

    // MARK: Samples

    static func parseSample(_ text: Substring, line: Int) throws(PlanningError) -> PrometheusSample {
        var s = Scanner(text)
        let name = s.metricName()
        guard !name.isEmpty else {
            throw PlanningError.exposition(.invalidName, line: line, "expected a metric name at \"\(text.prefix(30))\"")
        }
        s.skipBlanks()
        var labels: [String: String] = [:]
        if s.peek == "{" {
            s.advance()
            labels = try parseLabels(&s, line: line)
            s.skipBlanks()
        }
        let valueText = s.word()
        guard !valueText.isEmpty else {
            throw PlanningError.exposition(.invalidValue, line: line, "missing value for \(name)")
        }
        guard let value = parseValue(valueText) else {
            throw PlanningError.exposition(.invalidValue, line: line, "invalid value \"\(valueText)\" for \(name)")
        }
        s.skipBlanks()
        var timestamp: Int64?
        let timestampText = s.word()
        if !timestampText.isEmpty {
            guard let t = Int64(timestampText) else {
                throw PlanningError.exposition(.invalidTimestamp, line: line, "invalid timestamp \"\(timestampText)\" for \(name)")
            }
            timestamp = t
            s.skipBlanks()
        }
        guard s.isAtEnd else {
            throw PlanningError.exposition(.invalidValue, line: line, "unexpected text after the sample of \(name): \"\(s.remainder.prefix(30))\"")
        }
        return PrometheusSample(name: String(name), labels: labels, value: value, timestampMilliseconds: timestamp)
    }

    private static func parseLabels(_ s: inout Scanner, line: Int) throws(PlanningError) -> [String: String] {
        var labels: [String: String] = [:]
        while true {
            s.skipBlanks()
            if s.peek == "}" {
                s.advance()
                return labels
            }
            let name = s.labelName()
            guard !name.isEmpty else {
                throw PlanningError.exposition(.invalidLabels, line: line, "expected a label name or \"}\"")
            }
            s.skipBlanks()
            guard s.peek == "=" else {
                throw PlanningError.exposition(.invalidLabels, line: line, "expected \"=\" after label \(name)")
            }
            s.advance()
            s.skipBlanks()
            guard s.peek == "\"" else {
                throw PlanningError.exposition(.invalidLabels, line: line, "expected a quoted value for label \(name)")
            }
            s.advance()
            var value = ""
            var closed = false
            while let c = s.peek {
                s.advance()
                if c == "\\" {
                    guard let next = s.peek else { break }
                    s.advance()
                    switch next {
                    case "n": value.append("\n")
                    case "\\": value.append("\\")
                    case "\"": value.append("\"")
                    default:
                        value.append("\\")
                        value.append(next)
                    }
                } else if c == "\"" {
                    closed = true
                    break
                } else {
                    value.append(c)
                }
            }
            guard closed else {
                throw PlanningError.exposition(.invalidLabels, line: line, "unterminated value for label \(name)")
            }
            labels[String(name)] = value
            s.skipBlanks()
            if s.peek == "," {
                s.advance()
                continue
            }
            if s.peek == "}" {
                s.advance()
                return labels
            }
            throw PlanningError.exposition(.invalidLabels, line: line, "expected \",\" or \"}\" after label \(name)")
        }
    }

    /// A sample value: Go float syntax, `+Inf`/`-Inf`/`Inf`, `NaN` (any case).
    static func parseValue(_ text: Substring) -> Double? {
        switch text.lowercased() {
        case "+inf", "inf": return .infinity
        case "-inf": return -.infinity
        case "nan": return .nan
        default:
            // Reject what Swift would read but the format never writes (`infinity`, hex floats).
            guard text.allSatisfy({ ($0.isASCII && $0.isNumber) || "+-.eE".contains($0) }) else { return nil }
            return Double(text)
        }
    }

    // MARK: Scanning

    struct Scanner {
        private var rest: Substring
        init(_ text: Substring) { rest = text }

        var peek: Character? { rest.first }
        var isAtEnd: Bool { rest.isEmpty }
        var remainder: Substring { rest }
        mutating func advance() { rest.removeFirst() }
        mutating func skipBlanks() { rest = rest.drop { $0 == " " || $0 == "\t" } }
        mutating func skipOneBlank() { if rest.first == " " || rest.first == "\t" { rest.removeFirst() } }

        /// Up to the next blank.
        mutating func word() -> Substring {
            let w = rest.prefix { $0 != " " && $0 != "\t" }
            rest = rest.dropFirst(w.count)
            return w
        }

        /// `[a-zA-Z_:][a-zA-Z0-9_:]*`
        mutating func metricName() -> Substring { name(allowColon: true) }
        /// `[a-zA-Z_][a-zA-Z0-9_]*`
        mutating func labelName() -> Substring { name(allowColon: false) }

        private mutating func name(allowColon: Bool) -> Substring {
            var count = 0
            for c in rest {
                let ok = c.isASCII && (c.isLetter || c == "_" || (allowColon && c == ":") || (count > 0 && c.isNumber))
                if !ok { break }
                count += 1
            }
            let n = rest.prefix(count)
            rest = rest.dropFirst(count)
            return n
        }
    }
}

extension Substring {
    fileprivate func trimmingBlanks() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}

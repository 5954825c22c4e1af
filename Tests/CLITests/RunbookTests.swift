import Foundation
import Testing

// docs/operations.md is the on-call runbook. Its ```sh blocks hold `cardgenius` commands only
// (other shell, such as `kill -HUP` or `docker compose`, goes in ```bash blocks), and every one
// of them must still parse: the subcommand exists and knows every --flag the line uses.

/// The runbook's commands, as the test reads them.
struct RunbookCommand: CustomStringConvertible, Sendable {
    var line: Int  // 1-based line of docs/operations.md where the command starts
    var text: String  // the command, continuations joined
    var words: [String]  // shell words after `cardgenius`

    var description: String { "docs/operations.md:\(line): \(text)" }

    /// Leading words that are not flags: the subcommand path candidates (`config check`).
    var leadingWords: [String] { Array(words.prefix { !$0.hasPrefix("-") }) }

    /// Every `--flag` the line uses (an `--opt=value` counts as `--opt`), `--help` aside.
    var flags: [String] {
        var seen: [String] = []
        for word in words where word.hasPrefix("--") && word.count > 2 {
            let flag = String(word.prefix { $0 != "=" })
            if flag != "--help", !seen.contains(flag) { seen.append(flag) }
        }
        return seen
    }
}

enum Runbook {
    static var path: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/operations.md").path
    }

    static func text() throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    /// The lines of every ```sh block: (1-based line number, text).
    static func shLines(_ markdown: String) -> [(Int, String)] {
        var result: [(Int, String)] = []
        var inSh = false
        var inOther = false
        for (i, raw) in markdown.components(separatedBy: "\n").enumerated() {
            let trimmed = raw.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("```") {
                if inSh || inOther {
                    inSh = false
                    inOther = false
                } else if trimmed == "```sh" {
                    inSh = true
                } else {
                    inOther = true
                }
                continue
            }
            if inSh { result.append((i + 1, raw)) }
        }
        return result
    }

    /// The commands of the ```sh blocks (continuations joined), and the lines that are
    /// neither a command, a comment nor blank.
    static func commands(_ markdown: String) -> (commands: [RunbookCommand], stray: [String]) {
        var commands: [RunbookCommand] = []
        var stray: [String] = []
        var pending: (line: Int, text: String)?
        for (number, raw) in shLines(markdown) {
            var line = raw.trimmingCharacters(in: .whitespaces)
            let continues = line.hasSuffix("\\")
            if continues { line = String(line.dropLast()).trimmingCharacters(in: .whitespaces) }
            if var p = pending {
                p.text += " " + line
                pending = p
            } else if line.isEmpty || line.hasPrefix("#") {
                continue
            } else {
                pending = (number, line)
            }
            if !continues, let p = pending {
                pending = nil
                let words = shellWords(p.text)
                if words.first == "cardgenius" {
                    commands.append(RunbookCommand(line: p.line, text: p.text, words: Array(words.dropFirst())))
                } else {
                    stray.append("docs/operations.md:\(p.line): not a cardgenius command: \(p.text)")
                }
            }
        }
        if let p = pending { stray.append("docs/operations.md:\(p.line): unfinished continuation: \(p.text)") }
        return (commands, stray)
    }

    /// Splits a command line into words as a POSIX shell would (quotes, backslashes); a
    /// `#` starting a word begins a comment.
    static func shellWords(_ line: String) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for c in line {
            if escaped {
                current.append(c)
                escaped = false
                continue
            }
            if let q = quote {
                if c == q { quote = nil } else if c == "\\" && q == "\"" { escaped = true } else { current.append(c) }
                continue
            }
            switch c {
            case "\\":
                escaped = true
                inWord = true
            case "'", "\"":
                quote = c
                inWord = true
            case " ", "\t":
                if inWord {
                    words.append(current)
                    current = ""
                    inWord = false
                }
            case "#" where !inWord:
                return words
            default:
                current.append(c)
                inWord = true
            }
        }
        if inWord { words.append(current) }
        return words
    }

    /// Whether `help` mentions `flag` as a whole flag (`--rate` is not `--rate-limit`).
    static func help(_ help: String, mentions flag: String) -> Bool {
        var rest = help[...]
        while let range = rest.range(of: flag) {
            let after = rest[range.upperBound...].first
            let before = range.lowerBound == help.startIndex ? nil : help[help.index(before: range.lowerBound)]
            let wordChar: (Character?) -> Bool = { $0.map { $0.isLetter || $0.isNumber || $0 == "-" } ?? false }
            if !wordChar(after) && !(before.map { $0.isLetter || $0.isNumber } ?? false) { return true }
            rest = rest[range.upperBound...]
        }
        return false
    }
}

extension CLITests {
    @Suite("runbook: every command in docs/operations.md parses")
    struct RunbookTests {
        /// Subcommands an on-call engineer needs, each of which the runbook must show.
        static let requiredSubcommands = ["plan", "produce", "consume", "status", "replay", "redrive", "report", "export"]

        /// The load spec's section 9 failure scenarios (and "API down", its Q&A), as words a
        /// heading of the runbook must contain.
        static let requiredScenarios: [(name: String, words: [String])] = [
            ("9.1 API rate limiting", ["429"]),
            ("9.2 server overload", ["503", "timeout"]),
            ("9.3 connection pool exhaustion", ["connection pool"]),
            ("9.4 network issues", ["network"]),
            ("API down", ["api down"]),
        ]

        @Test("the runbook's ```sh blocks hold only cardgenius commands, and name the operator's subcommands")
        func runbookShape() throws {
            let markdown = try Runbook.text()
            let (commands, stray) = Runbook.commands(markdown)
            #expect(stray.isEmpty, "\(stray.joined(separator: "\n"))")
            #expect(commands.count >= 20, "only \(commands.count) commands found in docs/operations.md")
            let used = Set(commands.compactMap { $0.leadingWords.first })
            let missing = Self.requiredSubcommands.filter { !used.contains($0) }
            #expect(missing.isEmpty, "the runbook shows no `cardgenius \(missing.joined(separator: "`, `cardgenius "))` command")
            #expect(
                commands.contains { $0.words.first == "plan" && $0.flags.contains("--notice") },
                "the runbook shows the notice to the CardGenius team (`cardgenius plan --notice`)")

            let headings = markdown.components(separatedBy: "\n").filter { $0.hasPrefix("#") }.map { $0.lowercased() }
            let uncovered = Self.requiredScenarios.filter { scenario in
                !headings.contains { heading in scenario.words.allSatisfy { heading.contains($0) } }
            }
            #expect(uncovered.isEmpty, "no heading for: \(uncovered.map(\.name).joined(separator: ", "))")
        }

        @Test("every runbook command: `cardgenius <subcommand> --help` exits 0 and lists every flag the line uses")
        func everyCommandParses() async throws {
            let (commands, _) = Runbook.commands(try Runbook.text())
            #expect(!commands.isEmpty)
            var helps: [String: Finished] = [:]
            func help(_ path: [String]) async throws -> Finished {
                let key = path.joined(separator: " ")
                if let cached = helps[key] { return cached }
                let result = try await CLI.run(path + ["--help"], timeout: .seconds(30))
                helps[key] = result
                return result
            }
            var failures: [String] = []
            for command in commands {
                guard let first = command.leadingWords.first else {
                    failures.append("\(command)\n    no subcommand")
                    continue
                }
                // `config check`: a second word is part of the path when the first lists it.
                var path = [first]
                let top = try await help(path)
                if command.leadingWords.count > 1, top.stdout.contains("SUBCOMMANDS:") {
                    path.append(command.leadingWords[1])
                }
                let result = path.count == 1 ? top : try await help(path)
                let name = "cardgenius \(path.joined(separator: " ")) --help"
                guard result.status == .exited(0) else {
                    let why = (result.stderrLines.first ?? result.stdoutLines.first ?? "").prefix(160)
                    failures.append("\(command)\n    \(name): \(result.status): \(why)")
                    continue
                }
                // ArgumentParser answers `cardgenius nosuch --help` with the top-level help.
                guard result.stdout.contains("USAGE: cardgenius \(path.joined(separator: " "))") else {
                    failures.append("\(command)\n    no subcommand `cardgenius \(path.joined(separator: " "))`")
                    continue
                }
                let missing = command.flags.filter { !Runbook.help(result.stdout, mentions: $0) }
                if !missing.isEmpty {
                    failures.append("\(command)\n    \(name) does not list \(missing.joined(separator: ", "))")
                }
            }
            #expect(failures.isEmpty, "\(failures.count) of \(commands.count) runbook commands do not parse:\n\(failures.joined(separator: "\n"))")
        }

        @Test("the compose stack's config file passes `cardgenius config check`")
        func composeConfigIsValid() async throws {
            let file = URL(fileURLWithPath: Runbook.path).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("config/compose/cardgenius.json").path
            let result = try await CLI.run(
                ["config", "check", "--config", file],
                environment: [
                    "CARDGENIUS_KAFKA_BOOTSTRAP_SERVERS": "kafka:9092",
                    "CARDGENIUS_API_URL": "http://simulator:8080/cg/api/pro",
                    "CARDGENIUS_METRICS_PORT": "9464",
                ])
            #expect(result.status == .exited(0), "\(result)")
        }

        @Test("shell words: quotes, escapes and comments")
        func shellWords() {
            #expect(Runbook.shellWords(#"cardgenius plan --users 5 --notice   # the mail"#) == ["cardgenius", "plan", "--users", "5", "--notice"])
            #expect(Runbook.shellWords(#"a "b c" 'd e' f\ g"#) == ["a", "b c", "d e", "f g"])
            #expect(Runbook.help("  --rate-limit/--no-rate-limit\n  --rate <R>", mentions: "--rate"))
            #expect(!Runbook.help("  --rate-limit <R>", mentions: "--rate"))
            #expect(Runbook.help("  --rate-limit/--no-rate-limit", mentions: "--no-rate-limit"))
        }
    }
}

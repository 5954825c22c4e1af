import ArgumentParser
import Settings

/// `cardgenius config show|check`: the effective configuration, secrets redacted.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Show or check the effective configuration (flags > CARDGENIUS_* environment > file > defaults).",
        subcommands: [Show.self, Check.self]
    )

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the effective configuration as JSON (secrets redacted).")
        @OptionGroup var common: CommonOptions
        func run() async throws {
            print(try common.settings().jsonString(redacted: true))
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Validate the configuration; exit 0 if it is usable.")
        @OptionGroup var common: CommonOptions
        func run() async throws {
            _ = try common.settings()
            print("configuration ok")
        }
    }
}

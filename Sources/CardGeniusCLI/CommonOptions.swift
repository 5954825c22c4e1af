import ArgumentParser
import CardGeniusApp
import Configuration
import Foundation
import Logging
import Settings

/// Options every command that talks to Kafka takes.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Configuration file (JSON, see docs/configuration.md). Default: $CARDGENIUS_CONFIG.", valueName: "FILE"))
    var config: String?

    @Option(name: .long, help: ArgumentHelp("Kafka bootstrap servers (overrides kafka.bootstrap_servers).", valueName: "LIST"))
    var brokers: String?

    @OptionGroup var logging: LoggingOptions

    /// The configuration file: `--config`, else `$CARDGENIUS_CONFIG`, else none.
    var configFile: String? {
        config ?? ProcessInfo.processInfo.environment["CARDGENIUS_CONFIG"]
    }

    /// Loads the effective settings: flags > CARDGENIUS_* environment > file > defaults.
    /// A problem stops start-up with one line naming the key.
    func settings(overrides extra: [String: ConfigContent] = [:]) throws -> ServiceSettings {
        do {
            return try ServiceSettings.load(
                file: configFile, environment: ProcessInfo.processInfo.environment,
                overrides: overrides(extra))
        } catch {
            // Not a ValidationError: that would print the usage text after the message.
            throw StartupError("configuration error: \(error.description)")
        }
    }

    /// The effective settings, and their reloads while the service runs (the file changed, or SIGHUP).
    func settingsWatcher(overrides extra: [String: ConfigContent] = [:], logger: Logger) async throws -> SettingsWatcher {
        do {
            return try await SettingsWatcher(
                file: configFile, environment: ProcessInfo.processInfo.environment,
                overrides: overrides(extra), logger: logger)
        } catch {
            throw StartupError("configuration error: \(error.description)")
        }
    }

    private func overrides(_ extra: [String: ConfigContent]) -> [String: ConfigContent] {
        var overrides = extra
        if let brokers { overrides["kafka.bootstrap_servers"] = .string(brokers) }
        return overrides
    }
}

/// Logging options.
struct LoggingOptions: ParsableArguments {
    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = ProcessInfo.processInfo.environment["CARDGENIUS_LOG_LEVEL"] ?? "info"

    @Option(name: .long, help: "Log format: text or json (for log shippers).")
    var logFormat: String = ProcessInfo.processInfo.environment["CARDGENIUS_LOG_FORMAT"] ?? "text"

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical; got \"\(logLevel)\"")
        }
        guard ["text", "json"].contains(logFormat) else {
            throw ValidationError("--log-format must be text or json; got \"\(logFormat)\"")
        }
    }

    /// Bootstraps swift-log once and returns a logger for `label`.
    func makeLogger(_ label: String) -> Logger {
        LogBootstrap.once(level: Logger.Level(rawValue: logLevel) ?? .info, json: logFormat == "json")
        return Logger(label: label)
    }
}

import Configuration
import Foundation

extension ServiceSettings {
    /// Loads the effective configuration.
    ///
    /// Precedence, highest first:
    /// 1. `overrides` (from command-line flags), keyed by dotted path such as `"processing.max_workers"`,
    ///    typed as the flag is (`.int(8)`) or text read as an environment variable is (`"8"`).
    ///    `"kafka.properties"` takes a JSON object; `"kafka.properties.<name>"` sets one property.
    /// 2. `CARDGENIUS_*` variables in `environment`: the dotted path upper-cased with `.` → `_`
    ///    (`CARDGENIUS_PROCESSING_MAX_WORKERS`); `CARDGENIUS_KAFKA_PROPERTIES` holds a JSON object
    ///    whose entries are merged into the file's. `CARDGENIUS_CONFIG`, `CARDGENIUS_BIN` and
    ///    `CARDGENIUS_LOG_*` are reserved and ignored; any other unknown `CARDGENIUS_*` variable is an error.
    /// 3. The JSON file at `file`, if not `nil` (see ``SettingsFileSnapshot`` for the format).
    /// 4. ``defaults``.
    ///
    /// Every value is checked; the first problem is thrown as a ``SettingsError`` whose
    /// description names the source and the key.
    package static func load(
        file: String?,
        environment: [String: String],
        overrides: [String: ConfigContent]
    ) throws(SettingsError) -> ServiceSettings {
        let layer = try file.map { path throws(SettingsError) in try fileLayer(path) }
        return try SettingsLoader(environment: environment, overrides: overrides).settings(file: layer)
    }

    /// Parses and checks a configuration document on top of the defaults.
    ///
    /// - Parameters:
    ///   - json: the document's bytes (`[UInt8]`, `Data`, ...).
    ///   - source: how errors name the document, usually its path.
    package static func parse(json: some Collection<UInt8>, source: String) throws(SettingsError) -> ServiceSettings {
        let layer = try SettingsFileSnapshot(bytes: Array(json), source: source).layer.get()
        return try SettingsLoader(environment: [:], overrides: [:]).settings(file: layer)
    }

    /// Every dotted key the loader knows, in schema order (`kafka.bootstrap_servers`, ..., `metrics.port`).
    package static var knownKeys: [String] { SettingKey.all.map(\.path) }

    /// The environment variable that sets `key` (`processing.max_workers` → `CARDGENIUS_PROCESSING_MAX_WORKERS`),
    /// or `nil` if the key is unknown.
    package static func environmentVariableName(forKey key: String) -> String? {
        SettingKey.named(key)?.environmentVariable
    }

    /// The checked values of the configuration file at `path`.
    static func fileLayer(_ path: String) throws(SettingsError) -> SettingsLayer {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw SettingsError(code: .fileNotFound, source: path, message: "configuration file not found")
        }
        guard !isDirectory.boolValue else {
            throw SettingsError(code: .unreadableFile, source: path, message: "is a directory, expected a JSON configuration file")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw SettingsError(code: .unreadableFile, source: path, message: "cannot read the configuration file (\(error.localizedDescription))")
        }
        return try SettingsFileSnapshot(bytes: Array(data), source: path).layer.get()
    }
}

import Foundation

extension ServiceSettings {
    /// Loads the effective configuration.
    ///
    /// Precedence, highest first:
    /// 1. `overrides` (from command-line flags), keyed by dotted path such as `"processing.max_workers"`.
    ///    `"kafka.properties"` takes a JSON object; `"kafka.properties.<name>"` sets one property.
    /// 2. `CARDGENIUS_*` variables in `environment`: the dotted path upper-cased with `.` → `_`
    ///    (`CARDGENIUS_PROCESSING_MAX_WORKERS`); `CARDGENIUS_KAFKA_PROPERTIES` holds a JSON object
    ///    whose entries are merged into the file's. `CARDGENIUS_CONFIG`, `CARDGENIUS_BIN` and
    ///    `CARDGENIUS_LOG_*` are reserved and ignored; any other unknown `CARDGENIUS_*` variable is an error.
    /// 3. The JSON file at `file`, if not `nil`.
    /// 4. ``defaults``.
    ///
    /// Every value is validated; the first problem is thrown as a ``SettingsError`` whose
    /// description names the source and the key. The layers are swift-configuration providers
    /// merged by a `ConfigReader` (see ``SettingsFileSnapshot`` for the file format).
    public static func load(
        file: String?,
        environment: [String: String],
        overrides: [String: String]
    ) throws(SettingsError) -> ServiceSettings {
        var loader = SettingsLoader()
        if let file {
            try loader.applyFile(json: try readFile(file), source: file)
        }
        try loader.applyEnvironment(environment)
        try loader.applyOverrides(overrides)
        return try loader.settings()
    }

    /// Parses and validates a configuration document on top of the defaults.
    ///
    /// - Parameters:
    ///   - json: the document's bytes (`[UInt8]`, `Data`, ...).
    ///   - source: how errors name the document, usually its path.
    public static func parse(json: some Collection<UInt8>, source: String) throws(SettingsError) -> ServiceSettings {
        var loader = SettingsLoader()
        try loader.applyFile(json: Array(json), source: source)
        return try loader.settings()
    }

    /// Every dotted key the loader knows, in schema order (`kafka.bootstrap_servers`, ..., `metrics.port`).
    public static var knownKeys: [String] {
        SettingDescriptor.all.map(\.path)
    }

    /// The environment variable that sets `key` (`processing.max_workers` → `CARDGENIUS_PROCESSING_MAX_WORKERS`),
    /// or `nil` if the key is unknown.
    public static func environmentVariableName(forKey key: String) -> String? {
        SettingDescriptor.named(key)?.environmentVariable
    }

    private static func readFile(_ path: String) throws(SettingsError) -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw SettingsError(code: .fileNotFound, source: path, message: "configuration file not found")
        }
        guard !isDirectory.boolValue else {
            throw SettingsError(code: .unreadableFile, source: path, message: "is a directory, expected a JSON configuration file")
        }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            return Array(data)
        } catch {
            throw SettingsError(code: .unreadableFile, source: path, message: "cannot read the configuration file (\(error.localizedDescription))")
        }
    }
}

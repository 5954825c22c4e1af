import Configuration
import StrictJSON

/// One configuration layer after checking: its typed values and, per dotted key, the source
/// that set it (for the cross-key rules' messages).
struct SettingsLayer: Sendable {
    /// The provider's name: a file path, `environment` or `command line`.
    let name: String
    /// The typed values; `kafka.properties` entries under `kafka.properties.<name>` (secret when their name says so).
    private(set) var values: [AbsoluteConfigKey: ConfigValue] = [:]
    /// Dotted key (`processing.max_workers`, `kafka.properties`) → the source that set it.
    private(set) var sources: [String: String] = [:]

    init(name: String) { self.name = name }

    /// Sets one leaf key.
    mutating func set(_ content: ConfigContent, for key: SettingKey, source: String) {
        values[key.key] = ConfigValue(content, isSecret: false)
        sources[key.path] = source
    }

    /// Sets one `kafka.properties` entry.
    mutating func setProperty(_ name: String, _ value: String, source: String) {
        values[SettingKey.propertyKey(name)] = ConfigValue(.string(value), isSecret: ServiceSettings.isSecretProperty(name))
        sources[SettingKey.properties.path] = source
    }

    /// The names of the `kafka.properties` entries the layer sets.
    var propertyNames: [String] {
        values.keys.compactMap { $0.components.count == 3 && $0.components.starts(with: ["kafka", "properties"]) ? $0.components[2] : nil }
    }

    /// The layer as a provider for a `ConfigReader`.
    var provider: InMemoryProvider { InMemoryProvider(name: name, values: values) }
}

/// Builds ``ServiceSettings`` from the checked layers with a swift-configuration `ConfigReader`
/// (flags > environment > file > the defaults of ``ServiceSettings``).
///
/// Each value is checked as its layer is read, so a bad value is reported with its source
/// even when a higher layer overrides it; the reader's typed reads then take each key from
/// the highest layer that sets it, and the rules that involve several keys are checked on
/// the result. The environment and command-line layers do not change while the process
/// runs: a reload reads only the file again.
struct SettingsLoader: Sendable {
    let environment: SettingsLayer
    let commandLine: SettingsLayer

    static let commandLineSource = "command line"

    /// Checks the `CARDGENIUS_*` variables of `environment` and the command-line `overrides`.
    init(environment: [String: String], overrides: [String: ConfigContent]) throws(SettingsError) {
        self.environment = try Self.environmentLayer(environment)
        self.commandLine = try Self.commandLineLayer(overrides)
    }

    /// Environment variables with the `CARDGENIUS_` prefix that are not settings.
    static func isReservedEnvironmentVariable(_ name: String) -> Bool {
        ["CARDGENIUS_CONFIG", "CARDGENIUS_BIN", "CARDGENIUS_LOG"].contains(name) || name.hasPrefix("CARDGENIUS_LOG_")
    }

    /// The variables read through swift-configuration's `EnvironmentVariablesProvider` under
    /// the `cardgenius` key prefix (`CARDGENIUS_KAFKA_PROPERTIES`, which may hold credentials,
    /// as a secret). The names are walked only to refuse the unknown ones.
    private static func environmentLayer(_ environment: [String: String]) throws(SettingsError) -> SettingsLayer {
        for name in environment.keys.sorted() where name.hasPrefix("CARDGENIUS_") && !isReservedEnvironmentVariable(name) {
            guard !SettingKey.all.contains(where: { $0.environmentVariable == name }) else { continue }
            var message = "unknown variable \(name)"
            if let guess = KeySuggestion.closest(to: name, among: SettingKey.all.map(\.environmentVariable), divisor: 3) {
                message += " (did you mean \(guess)?)"
            }
            message += "; unset it or use one of the names in docs/configuration.md"
            throw SettingsError(code: .unknownEnvironmentVariable, source: "environment", key: name, message: message)
        }
        let provider = EnvironmentVariablesProvider(
            environmentVariables: environment,
            secretsSpecifier: .specific([SettingKey.properties.environmentVariable])
        ).prefixKeys(with: ["cardgenius"])
        var layer = SettingsLayer(name: "environment")
        for key in SettingKey.all {
            guard case .string(let text)? = try? provider.value(forKey: key.key, type: .string).value?.content else { continue }
            try apply(.string(text), to: key, source: "environment variable \(key.environmentVariable)", into: &layer)
        }
        return layer
    }

    /// Command-line overrides keyed by dotted path (`processing.max_workers`), typed as the
    /// flags are, or text read as an environment variable is. `kafka.properties` takes a JSON
    /// object; `kafka.properties.<name>` sets one property.
    private static func commandLineLayer(_ overrides: [String: ConfigContent]) throws(SettingsError) -> SettingsLayer {
        var layer = SettingsLayer(name: commandLineSource)
        let prefix = SettingKey.properties.path + "."
        for path in overrides.keys.sorted() {
            let value = overrides[path]!
            if let key = SettingKey.named(path) {
                try apply(value, to: key, source: commandLineSource, into: &layer)
            } else if path.hasPrefix(prefix), path.count > prefix.count, case .string(let text) = value {
                layer.setProperty(String(path.dropFirst(prefix.count)), text, source: commandLineSource)
            } else {
                throw unknownKey(path, source: commandLineSource)
            }
        }
        return layer
    }

    private static func apply(
        _ value: ConfigContent, to key: SettingKey, source: String, into layer: inout SettingsLayer
    ) throws(SettingsError) {
        guard case .properties = key.kind else {
            layer.set(try key.content(value, source: source), for: key, source: source)
            return
        }
        let json: JSONValue = if case .string(let text) = value { .string(text) } else { .null }
        for (name, value) in try key.properties(json, source: source) {
            layer.setProperty(name, value, source: source)
        }
    }

    /// The settings from the file layer (if any) under the environment and the command line.
    func settings(file: SettingsLayer?) throws(SettingsError) -> ServiceSettings {
        let layers = [commandLine, environment] + (file.map { [$0] } ?? [])  // highest precedence first
        let reader = ConfigReader(providers: layers.map(\.provider))
        var settings = ServiceSettings.defaults
        for key in SettingKey.all { key.read(from: reader, into: &settings) }
        for name in Set(layers.flatMap(\.propertyNames)) {
            let key = ConfigKey(SettingKey.propertyKey(name).components)
            settings.kafka.properties[name] = reader.string(forKey: key, isSecret: ServiceSettings.isSecretProperty(name))
        }
        try Self.validate(settings, layers: layers)
        return settings
    }

    // MARK: - Cross-key rules

    /// Checks the rules that involve more than one key.
    private static func validate(_ s: ServiceSettings, layers: [SettingsLayer]) throws(SettingsError) {
        /// An `.invalidValue` error attributed to the highest layer that set one of `keys`.
        func invalid(_ keys: [String], _ message: String) -> SettingsError {
            for layer in layers {
                for key in keys {
                    if let source = layer.sources[key] {
                        return SettingsError(code: .invalidValue, source: source, key: key, message: message)
                    }
                }
            }
            return SettingsError(code: .invalidValue, source: "defaults", key: keys[0], message: message)
        }
        let retry = s.api.retry
        if retry.baseDelayMilliseconds > retry.maxDelayMilliseconds {
            throw invalid(
                ["api.retry.base_delay_ms", "api.retry.max_delay_ms"],
                "\"api.retry.base_delay_ms\" (\(retry.baseDelayMilliseconds)) must be <= \"api.retry.max_delay_ms\" (\(retry.maxDelayMilliseconds))")
        }
        if s.api.rateLimit.enabled && !(s.api.rateLimit.requestsPerSecond > 0) {
            throw invalid(
                ["api.rate_limit.requests_per_second", "api.rate_limit.enabled"],
                "\"api.rate_limit.requests_per_second\" must be > 0 when \"api.rate_limit.enabled\" is true, got \(Checks.format(s.api.rateLimit.requestsPerSecond))"
            )
        }
        for name in s.kafka.properties.keys.sorted() {
            if let why = KafkaPropertyRules.violation(name: name, value: s.kafka.properties[name] ?? "") {
                var error = invalid([SettingKey.properties.path], why)
                error.key = "kafka.properties.\(name)"
                throw error
            }
        }
        let topics = [
            ("kafka.input_topic", s.kafka.inputTopic), ("kafka.output_topic", s.kafka.outputTopic),
            ("kafka.dlq_topic", s.kafka.dlqTopic),
        ]
        for i in topics.indices {
            for j in topics.indices where j > i && topics[i].1 == topics[j].1 {
                throw invalid(
                    [topics[j].0, topics[i].0],
                    "\"\(topics[j].0)\" must differ from \"\(topics[i].0)\" (both are \(JSONWriter.quoted(topics[i].1)))")
            }
        }
    }

    /// A key the schema does not know, with the did-you-mean: a near spelling, or a leaf
    /// written at the wrong level (`max_workers` → `processing.max_workers`).
    static func unknownKey(_ path: String, source: String) -> SettingsError {
        var message = "unknown key \(JSONWriter.quoted(path))"
        let known = SettingKey.all.map(\.path) + SettingKey.sections
        let leaf = path.split(separator: ".").last.map(String.init) ?? path
        if let guess = KeySuggestion.closest(to: path, among: known, divisor: 3) ?? known.first(where: { $0.hasSuffix("." + leaf) }) {
            message += " (did you mean \(JSONWriter.quoted(guess))?)"
        }
        return SettingsError(code: .unknownKey, source: source, key: path, message: message)
    }
}

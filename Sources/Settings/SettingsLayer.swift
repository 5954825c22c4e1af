import Configuration

/// One configuration layer after validation: its typed values (as a swift-configuration
/// in-memory provider) and, per key, the source that set it (for error messages).
struct SettingsLayer: Sendable {
    /// Layers in increasing precedence.
    enum Rank: Int, Comparable, Sendable {
        case defaults, file, environment, overrides
        static func < (a: Rank, b: Rank) -> Bool { a.rawValue < b.rawValue }
    }

    /// The layer's place in the precedence.
    let rank: Rank
    /// The provider name: a file path, `environment`, `command line` or `defaults`.
    let name: String
    /// The typed values; `kafka.properties` entries under `kafka.properties.<name>`.
    private(set) var values: [AbsoluteConfigKey: ConfigValue] = [:]
    /// Dotted key (`processing.max_workers`, `kafka.properties`) → the source that set it.
    private(set) var sources: [String: String] = [:]
    /// The names of the `kafka.properties` entries this layer sets.
    private(set) var propertyNames: Set<String> = []

    init(rank: Rank, name: String) {
        self.rank = rank
        self.name = name
    }

    /// The layer as a provider for a `ConfigReader`.
    var provider: InMemoryProvider { InMemoryProvider(name: name, values: values) }

    /// Sets one leaf key.
    mutating func set(_ content: ConfigContent, for descriptor: SettingDescriptor, source: String) {
        values[descriptor.key] = ConfigValue(content, isSecret: false)
        sources[descriptor.path] = source
    }

    /// Sets one `kafka.properties` entry (secret when its name says so).
    mutating func setProperty(_ name: String, _ value: String, source: String) {
        values[SettingDescriptor.propertyKey(name)] = ConfigValue(
            .string(value), isSecret: ServiceSettings.isSecretProperty(name))
        propertyNames.insert(name)
        sources[SettingDescriptor.propertiesPath] = source
    }

    /// The layer of the defaults.
    static let defaults: SettingsLayer = {
        var layer = SettingsLayer(rank: .defaults, name: "defaults")
        for descriptor in SettingDescriptor.all where !descriptor.isPropertyMap {
            layer.set(descriptor.content(in: .defaults), for: descriptor, source: "defaults")
        }
        return layer
    }()
}

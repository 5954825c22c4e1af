import Configuration

/// Builds ``ServiceSettings`` from configuration layers with swift-configuration.
///
/// Each layer is read through a provider — the file as a ``SettingsFileSnapshot``, the
/// `CARDGENIUS_*` variables through an `EnvironmentVariablesProvider`, the flags through an
/// `InMemoryProvider` — and every value is checked as it is read, so a bad value is reported
/// with its source even when a higher layer overrides it. The checked, typed layers are then
/// merged by a `ConfigReader` (flags > environment > file > defaults) and the cross-key
/// rules are checked on the result.
struct SettingsLoader {
    /// The checked layers, in increasing precedence.
    private var layers: [SettingsLayer] = []

    /// Source names for the non-file layers.
    static let commandLineSource = "command line"
    static func environmentSource(_ name: String) -> String { "environment variable \(name)" }

    /// Environment variables with the `CARDGENIUS_` prefix that are not settings.
    static func isReservedEnvironmentVariable(_ name: String) -> Bool {
        name == "CARDGENIUS_CONFIG" || name == "CARDGENIUS_BIN" || name == "CARDGENIUS_LOG"
            || name.hasPrefix("CARDGENIUS_LOG_")
    }

    // MARK: - Layers

    /// Adds a configuration document (the file layer).
    mutating func applyFile(json bytes: [UInt8], source: String) throws(SettingsError) {
        layers.append(try SettingsFileSnapshot(bytes: bytes, source: source).layer)
    }

    /// Adds the `CARDGENIUS_*` variables of `environment`, read through swift-configuration's
    /// `EnvironmentVariablesProvider` under the `cardgenius` key prefix.
    mutating func applyEnvironment(_ environment: [String: String]) throws(SettingsError) {
        let provider = EnvironmentVariablesProvider(environmentVariables: environment).prefixKeys(with: ["cardgenius"])
        var layer = SettingsLayer(rank: .environment, name: "environment")
        for name in environment.keys.sorted() where name.hasPrefix("CARDGENIUS_") {
            guard !Self.isReservedEnvironmentVariable(name) else { continue }
            let source = Self.environmentSource(name)
            guard let descriptor = SettingDescriptor.forEnvironmentVariable(name) else {
                let known = SettingDescriptor.all.map(\.environmentVariable)
                var message = "unknown variable \(name)"
                if let guess = Self.closest(to: name, among: known) { message += " (did you mean \(guess)?)" }
                message += "; unset it or use one of the names in docs/configuration.md"
                throw SettingsError(code: .unknownEnvironmentVariable, source: "environment", key: name, message: message)
            }
            guard let text = Self.text(of: descriptor.key, in: provider) else { continue }
            try Self.apply(text: text, to: descriptor, source: source, into: &layer)
        }
        layers.append(layer)
    }

    /// Adds command-line overrides keyed by dotted path (`processing.max_workers`).
    ///
    /// `kafka.properties` takes a JSON object; `kafka.properties.<name>` sets one property.
    mutating func applyOverrides(_ overrides: [String: String]) throws(SettingsError) {
        let source = Self.commandLineSource
        let provider = InMemoryProvider(
            name: source,
            values: Dictionary(
                overrides.map { (AbsoluteConfigKey([$0.key]), ConfigValue(.string($0.value), isSecret: false)) },
                uniquingKeysWith: { a, _ in a })
        )
        var layer = SettingsLayer(rank: .overrides, name: source)
        let prefix = SettingDescriptor.propertiesPath + "."
        for path in overrides.keys.sorted() {
            guard let text = Self.text(of: AbsoluteConfigKey([path]), in: provider) else { continue }
            if let descriptor = SettingDescriptor.named(path) {
                try Self.apply(text: text, to: descriptor, source: source, into: &layer)
            } else if path.hasPrefix(prefix), path.count > prefix.count {
                layer.setProperty(String(path.dropFirst(prefix.count)), text, source: source)
            } else {
                throw Self.unknownKey(path, source: source)
            }
        }
        layers.append(layer)
    }

    /// The raw text a provider holds for `key`.
    private static func text(of key: AbsoluteConfigKey, in provider: some ConfigProvider) -> String? {
        guard case .string(let text)? = (try? provider.value(forKey: key, type: .string))?.value?.content else { return nil }
        return text
    }

    private static func apply(
        text: String, to descriptor: SettingDescriptor, source: String, into layer: inout SettingsLayer
    ) throws(SettingsError) {
        if descriptor.isPropertyMap {
            for (name, value) in try descriptor.properties(text: text, source: source) {
                layer.setProperty(name, value, source: source)
            }
        } else {
            layer.set(try descriptor.content(text: text, source: source), for: descriptor, source: source)
        }
    }

    // MARK: - Merging

    /// The layers merged by a `ConfigReader` (highest precedence first, defaults last),
    /// checked against the cross-key rules.
    func settings() throws(SettingsError) -> ServiceSettings {
        let ordered = layers.reversed() + [SettingsLayer.defaults]
        let reader = ConfigReader(providers: ordered.map { $0.provider as any ConfigProvider })
        var settings = ServiceSettings.defaults
        for descriptor in SettingDescriptor.all where !descriptor.isPropertyMap {
            descriptor.assign(from: reader, into: &settings)
        }
        let names = layers.reduce(into: Set<String>()) { $0.formUnion($1.propertyNames) }
        for name in names {
            let key = ConfigKey(SettingDescriptor.propertyKey(name).components)
            settings.kafka.properties[name] = reader.string(forKey: key, isSecret: ServiceSettings.isSecretProperty(name))
        }
        try validate(settings)
        return settings
    }

    /// Parses an integer literal; accepts integral values written with a fraction or exponent (`2e1`, `20.0`).
    static func integer(fromLiteral literal: String) -> Int? {
        if let n = Int(literal) { return n }
        guard let d = Double(literal), d.isFinite, d == d.rounded(), abs(d) < 9.0e15 else { return nil }
        return Int(d)
    }

    // MARK: - Cross-key rules

    /// Checks the rules that involve more than one key.
    func validate(_ s: ServiceSettings) throws(SettingsError) {
        if s.api.retry.baseDelayMilliseconds > s.api.retry.maxDelayMilliseconds {
            throw invalid(
                ["api.retry.base_delay_ms", "api.retry.max_delay_ms"],
                "\"api.retry.base_delay_ms\" (\(s.api.retry.baseDelayMilliseconds)) must be <= \"api.retry.max_delay_ms\" (\(s.api.retry.maxDelayMilliseconds))"
            )
        }
        if s.api.rateLimit.enabled && !(s.api.rateLimit.requestsPerSecond > 0) {
            throw invalid(
                ["api.rate_limit.requests_per_second", "api.rate_limit.enabled"],
                "\"api.rate_limit.requests_per_second\" must be > 0 when \"api.rate_limit.enabled\" is true, got \(Checks.format(s.api.rateLimit.requestsPerSecond))"
            )
        }
        for name in s.kafka.properties.keys.sorted() {
            if let why = KafkaPropertyRules.violation(name: name, value: s.kafka.properties[name] ?? "") {
                var error = invalid(["kafka.properties"], why)
                error.key = "kafka.properties.\(name)"
                throw error
            }
        }
        let topics = [
            ("kafka.input_topic", s.kafka.inputTopic),
            ("kafka.output_topic", s.kafka.outputTopic),
            ("kafka.dlq_topic", s.kafka.dlqTopic),
        ]
        for i in topics.indices {
            for j in topics.indices where j > i && topics[i].1 == topics[j].1 {
                throw invalid(
                    [topics[j].0, topics[i].0],
                    "\"\(topics[j].0)\" must differ from \"\(topics[i].0)\" (both are \(JSONValue.quoted(topics[i].1)))"
                )
            }
        }
    }

    /// An `.invalidValue` error attributed to the highest-precedence layer that set one of `keys`.
    private func invalid(_ keys: [String], _ message: String) -> SettingsError {
        var best: (key: String, rank: SettingsLayer.Rank, source: String)? = nil
        for key in keys {
            for layer in layers {
                if let source = layer.sources[key], layer.rank > (best?.rank ?? .defaults) {
                    best = (key, layer.rank, source)
                }
            }
        }
        return SettingsError(code: .invalidValue, source: best?.source ?? "defaults", key: best?.key ?? keys[0], message: message)
    }

    // MARK: - Unknown keys

    static func unknownKey(_ path: String, source: String) -> SettingsError {
        var message = "unknown key \(JSONValue.quoted(path))"
        let known = SettingDescriptor.all.map(\.path) + SettingDescriptor.sections
        let leaf = path.split(separator: ".").last.map(String.init) ?? path
        if let guess = closest(to: path, among: known)
            ?? known.first(where: { $0.hasSuffix("." + leaf) })
        {
            message += " (did you mean \(JSONValue.quoted(guess))?)"
        }
        return SettingsError(code: .unknownKey, source: source, key: path, message: message)
    }

    /// The candidate closest to `word` by edit distance, if it is close enough to be a plausible typo.
    static func closest(to word: String, among candidates: [String]) -> String? {
        let limit = max(2, word.count / 3)
        var best: (String, Int)? = nil
        for candidate in candidates {
            let d = editDistance(word, candidate)
            if d <= limit && d < (best?.1 ?? Int.max) { best = (candidate, d) }
        }
        return best?.0
    }

    /// Levenshtein distance over characters.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}

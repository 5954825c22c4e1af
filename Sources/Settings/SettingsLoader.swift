import Foundation

/// Applies configuration layers (file, environment, overrides) on top of the
/// defaults, validating each value as it arrives and the cross-key rules at the end.
///
/// It remembers which layer set each key so that errors name the right source.
struct SettingsLoader {
    /// Layers in increasing precedence.
    enum Layer: Int, Comparable {
        case defaults, file, environment, overrides
        static func < (a: Layer, b: Layer) -> Bool { a.rawValue < b.rawValue }
    }

    private(set) var settings = ServiceSettings.defaults
    /// Key path → (layer, source) of the value currently in effect.
    private var origins: [String: (layer: Layer, source: String)] = [:]

    /// Source names for the non-file layers.
    static let commandLineSource = "command line"
    static func environmentSource(_ name: String) -> String { "environment variable \(name)" }

    /// Environment variables with the `CARDGENIUS_` prefix that are not settings.
    static func isReservedEnvironmentVariable(_ name: String) -> Bool {
        name == "CARDGENIUS_CONFIG" || name == "CARDGENIUS_BIN" || name == "CARDGENIUS_LOG"
            || name.hasPrefix("CARDGENIUS_LOG_")
    }

    // MARK: - File layer

    /// Applies a configuration document.
    mutating func applyFile(json bytes: [UInt8], source: String) throws(SettingsError) {
        let root: JSONValue
        do {
            root = try JSONParser.parse(bytes)
        } catch {
            throw SettingsError(code: .invalidJSON, source: source, message: "invalid JSON at \(error.description)")
        }
        guard case .object(let members) = root else {
            throw SettingsError(
                code: .wrongType, source: source,
                message: "the top level must be a JSON object, got \(root.errorDescription)"
            )
        }
        try applyObject(members, prefix: "", source: source)
    }

    private mutating func applyObject(_ members: [JSONValue.Member], prefix: String, source: String) throws(SettingsError) {
        for member in members {
            let path = prefix + member.key
            if prefix.isEmpty && member.key == "$schema" {
                guard case .string = member.value else {
                    throw SettingsError(
                        code: .wrongType, source: source, key: path,
                        message: "\"$schema\" must be a string, got \(member.value.errorDescription)"
                    )
                }
                continue
            }
            if SettingDescriptor.sections.contains(path) {
                guard case .object(let nested) = member.value else {
                    throw SettingsError(
                        code: .wrongType, source: source, key: path,
                        message: "\"\(path)\" must be an object, got \(member.value.errorDescription)"
                    )
                }
                try applyObject(nested, prefix: path + ".", source: source)
            } else if let descriptor = SettingDescriptor.named(path) {
                try apply(json: member.value, to: descriptor, layer: .file, source: source)
            } else {
                throw Self.unknownKey(path, source: source)
            }
        }
    }

    private mutating func apply(json value: JSONValue, to d: SettingDescriptor, layer: Layer, source: String) throws(SettingsError) {
        func wrongType() -> SettingsError {
            SettingsError(
                code: .wrongType, source: source, key: d.path,
                message: "\"\(d.path)\" must be \(d.typeDescription), got \(value.errorDescription)"
            )
        }
        switch d.accessor {
        case .string(let kp, let check):
            guard case .string(let s) = value else { throw wrongType() }
            try set(s, at: kp, check: check(s), d, layer, source)
        case .integer(let kp, let range):
            guard case .number(let literal) = value else { throw wrongType() }
            guard let n = Self.integer(fromLiteral: literal) else {
                if let dbl = Double(literal), dbl == dbl.rounded(), dbl.isFinite {  // integral but too large
                    throw SettingsError(
                        code: .invalidValue, source: source, key: d.path,
                        message: "\"\(d.path)\" \(Checks.range(range, dbl < 0 ? Int.min : Int.max) ?? "is out of range"): \(literal)"
                    )
                }
                throw wrongType()
            }
            try set(n, at: kp, check: Checks.range(range, n), d, layer, source)
        case .number(let kp, let check):
            guard case .number(let literal) = value, let dbl = Double(literal) else { throw wrongType() }
            try set(dbl, at: kp, check: check(dbl), d, layer, source)
        case .boolean(let kp):
            guard case .bool(let b) = value else { throw wrongType() }
            try set(b, at: kp, check: nil, d, layer, source)
        case .stringMap(let kp):
            guard case .object(let members) = value else { throw wrongType() }
            var merged = settings[keyPath: kp]
            for member in members {
                let name = member.key
                let propertyPath = "\(d.path).\(name)"
                if name.trimmingCharacters(in: .whitespaces).isEmpty {
                    throw SettingsError(
                        code: .invalidValue, source: source, key: propertyPath,
                        message: "\"\(d.path)\" must not contain an empty property name"
                    )
                }
                switch member.value {
                case .string(let s): merged[name] = s
                case .number(let literal): merged[name] = literal
                case .bool(let b): merged[name] = b ? "true" : "false"
                default:
                    throw SettingsError(
                        code: .wrongType, source: source, key: propertyPath,
                        message: "\"\(propertyPath)\" must be a string, number or boolean, got \(member.value.errorDescription)"
                    )
                }
            }
            settings[keyPath: kp] = merged
            origins[d.path] = (layer, source)
        }
    }

    private mutating func set<T>(
        _ value: T, at kp: WritableKeyPath<ServiceSettings, T>, check complaint: String?,
        _ d: SettingDescriptor, _ layer: Layer, _ source: String
    ) throws(SettingsError) {
        if let complaint {
            throw SettingsError(code: .invalidValue, source: source, key: d.path, message: "\"\(d.path)\" \(complaint)")
        }
        settings[keyPath: kp] = value
        origins[d.path] = (layer, source)
    }

    /// Parses an integer literal; accepts integral values written with a fraction or exponent (`2e1`, `20.0`).
    static func integer(fromLiteral literal: String) -> Int? {
        if let n = Int(literal) { return n }
        guard let d = Double(literal), d.isFinite, d == d.rounded(), abs(d) < 9.0e15 else { return nil }
        return Int(d)
    }

    // MARK: - Text layers (environment, overrides)

    /// Applies the `CARDGENIUS_*` variables of `environment`.
    mutating func applyEnvironment(_ environment: [String: String]) throws(SettingsError) {
        for name in environment.keys.sorted() where name.hasPrefix("CARDGENIUS_") {
            guard !Self.isReservedEnvironmentVariable(name), let value = environment[name] else { continue }
            let source = Self.environmentSource(name)
            guard let descriptor = SettingDescriptor.forEnvironmentVariable(name) else {
                let known = SettingDescriptor.all.map(\.environmentVariable)
                var message = "unknown variable \(name)"
                if let guess = Self.closest(to: name, among: known) { message += " (did you mean \(guess)?)" }
                message += "; unset it or use one of the names in docs/configuration.md"
                throw SettingsError(code: .unknownEnvironmentVariable, source: "environment", key: name, message: message)
            }
            try apply(text: value, to: descriptor, layer: .environment, source: source)
        }
    }

    /// Applies command-line overrides keyed by dotted path (`processing.max_workers`).
    ///
    /// `kafka.properties` takes a JSON object; `kafka.properties.<name>` sets one property.
    mutating func applyOverrides(_ overrides: [String: String]) throws(SettingsError) {
        let source = Self.commandLineSource
        for path in overrides.keys.sorted() {
            guard let value = overrides[path] else { continue }
            if let descriptor = SettingDescriptor.named(path) {
                try apply(text: value, to: descriptor, layer: .overrides, source: source)
            } else if path.hasPrefix("kafka.properties."), path.count > "kafka.properties.".count {
                let name = String(path.dropFirst("kafka.properties.".count))
                settings.kafka.properties[name] = value
                origins["kafka.properties"] = (.overrides, source)
            } else {
                throw Self.unknownKey(path, source: source)
            }
        }
    }

    private mutating func apply(text: String, to d: SettingDescriptor, layer: Layer, source: String) throws(SettingsError) {
        func wrongType() -> SettingsError {
            SettingsError(
                code: .wrongType, source: source, key: d.path,
                message: "\"\(d.path)\" must be \(d.typeDescription), got \(JSONValue.quoted(text, limit: 60))"
            )
        }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        switch d.accessor {
        case .string(let kp, let check):
            try set(text, at: kp, check: check(text), d, layer, source)
        case .integer(let kp, let range):
            guard Self.looksNumeric(trimmed), let n = Self.integer(fromLiteral: trimmed) else { throw wrongType() }
            try set(n, at: kp, check: Checks.range(range, n), d, layer, source)
        case .number(let kp, let check):
            guard Self.looksNumeric(trimmed), let dbl = Double(trimmed) else { throw wrongType() }
            try set(dbl, at: kp, check: check(dbl), d, layer, source)
        case .boolean(let kp):
            let b: Bool
            switch trimmed.lowercased() {
            case "true", "1", "yes", "on": b = true
            case "false", "0", "no", "off": b = false
            default: throw wrongType()
            }
            try set(b, at: kp, check: nil, d, layer, source)
        case .stringMap:
            let json: JSONValue
            do {
                json = try JSONParser.parse(Array(text.utf8))
            } catch {
                throw SettingsError(
                    code: .invalidJSON, source: source, key: d.path,
                    message: "\"\(d.path)\" must be a JSON object, invalid JSON at \(error.description)"
                )
            }
            try apply(json: json, to: d, layer: layer, source: source)
        }
    }

    /// Only decimal notation: `Double("0x1p3")` and `Double("nan")` would otherwise be accepted.
    private static func looksNumeric(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { b in
            (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "-") || b == UInt8(ascii: "+")
                || b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E")
        }
    }

    // MARK: - Cross-key rules

    /// Checks the rules that involve more than one key.
    func validate() throws(SettingsError) {
        let s = settings
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
        var best: (key: String, layer: Layer, source: String)? = nil
        for key in keys {
            if let origin = origins[key], origin.layer > (best?.layer ?? .defaults) {
                best = (key, origin.layer, origin.source)
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

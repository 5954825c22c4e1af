import Configuration
import StrictJSON

/// One leaf key of the configuration schema: its dotted path, type, constraint and field.
///
/// ``SettingKey/all`` is the single list of keys for the file format, the environment
/// variable names, the typed reads, the JSON rendering and the schema tests. The defaults
/// are the fields' initial values in ``ServiceSettings``, written nowhere else.
struct SettingKey: Sendable {
    /// The type of a key, with the field it fills and its per-value check, which returns
    /// `nil` when the value is fine or the complaint (`must be >= 1, got 0`).
    enum Kind: Sendable {
        case string(WritableKeyPath<ServiceSettings, String> & Sendable, check: @Sendable (String) -> String?)
        case integer(WritableKeyPath<ServiceSettings, Int> & Sendable, range: ClosedRange<Int>)
        case number(WritableKeyPath<ServiceSettings, Double> & Sendable, check: @Sendable (Double) -> String?)
        case boolean(WritableKeyPath<ServiceSettings, Bool> & Sendable)
        /// `kafka.properties`: an object whose entries are the keys `kafka.properties.<name>`.
        case properties
    }

    /// The dotted path, e.g. `processing.max_workers`.
    let path: String
    let kind: Kind

    /// The sections (objects) of the schema, as dotted paths.
    static let sections: [String] = ["kafka", "api", "api.retry", "api.rate_limit", "processing", "metrics"]

    /// Every leaf key, in schema order.
    static let all: [SettingKey] = [
        .init(path: "kafka.bootstrap_servers", kind: .string(\.kafka.bootstrapServers, check: Checks.bootstrapServers)),
        .init(path: "kafka.input_topic", kind: .string(\.kafka.inputTopic, check: Checks.topic)),
        .init(path: "kafka.output_topic", kind: .string(\.kafka.outputTopic, check: Checks.topic)),
        .init(path: "kafka.dlq_topic", kind: .string(\.kafka.dlqTopic, check: Checks.topic)),
        .init(path: "kafka.group_id", kind: .string(\.kafka.groupID, check: Checks.nonEmpty)),
        .init(path: "kafka.group_instance_id", kind: .string(\.kafka.groupInstanceID, check: Checks.groupInstanceID)),
        .init(path: "kafka.output_compression", kind: .string(\.kafka.outputCompression, check: Checks.compression)),
        .init(path: "kafka.group_protocol", kind: .string(\.kafka.groupProtocol, check: Checks.groupProtocol)),
        .init(path: "kafka.properties", kind: .properties),
        .init(path: "api.url", kind: .string(\.api.url, check: Checks.httpURL)),
        .init(path: "api.user_agent", kind: .string(\.api.userAgent, check: Checks.headerValue)),
        .init(path: "api.connect_timeout_s", kind: .number(\.api.connectTimeoutSeconds, check: Checks.positive)),
        .init(path: "api.request_timeout_s", kind: .number(\.api.requestTimeoutSeconds, check: Checks.positive)),
        .init(path: "api.retry.max_attempts", kind: .integer(\.api.retry.maxAttempts, range: 1...100)),
        .init(path: "api.retry.base_delay_ms", kind: .integer(\.api.retry.baseDelayMilliseconds, range: 0...Int.max)),
        .init(path: "api.retry.max_delay_ms", kind: .integer(\.api.retry.maxDelayMilliseconds, range: 0...Int.max)),
        .init(path: "api.rate_limit.enabled", kind: .boolean(\.api.rateLimit.enabled)),
        .init(path: "api.rate_limit.requests_per_second", kind: .number(\.api.rateLimit.requestsPerSecond, check: Checks.nonNegative)),
        .init(path: "api.rate_limit.burst", kind: .integer(\.api.rateLimit.burst, range: 1...Int.max)),
        .init(path: "processing.max_workers", kind: .integer(\.processing.maxWorkers, range: 1...ServiceSettings.Processing.maxWorkersLimit)),
        .init(path: "processing.drain_timeout_s", kind: .number(\.processing.drainTimeoutSeconds, check: Checks.positive)),
        .init(path: "processing.commit_interval_ms", kind: .integer(\.processing.commitIntervalMilliseconds, range: 1...Int.max)),
        .init(path: "processing.stall_timeout_s", kind: .number(\.processing.stallTimeoutSeconds, check: Checks.positive)),
        .init(path: "metrics.port", kind: .integer(\.metrics.port, range: 0...65535)),
    ]

    /// Looks a leaf key up by its dotted path.
    static func named(_ path: String) -> SettingKey? { all.first { $0.path == path } }

    /// `kafka.properties`.
    static let properties = named("kafka.properties")!

    /// `CARDGENIUS_` + the path upper-cased with `.` replaced by `_` (what swift-configuration's
    /// `EnvironmentVariablesProvider` reads for the key under the `cardgenius` prefix).
    var environmentVariable: String { "CARDGENIUS_" + path.uppercased().replacingOccurrences(of: ".", with: "_") }

    /// The swift-configuration key: the path's components.
    var key: AbsoluteConfigKey { AbsoluteConfigKey(path.split(separator: ".").map(String.init)) }

    /// The key of one `kafka.properties` entry (its name may contain dots).
    static func propertyKey(_ name: String) -> AbsoluteConfigKey { AbsoluteConfigKey(["kafka", "properties", name]) }

    /// The type's name in error messages: `an integer`, `a number`, ...
    private var typeDescription: String {
        switch kind {
        case .string: return "a string"
        case .integer: return "an integer"
        case .number: return "a number"
        case .boolean: return "a boolean"
        case .properties: return "an object of strings, numbers or booleans"
        }
    }

    // MARK: - Checking

    /// A value from a file as this key's typed value, checked; `got` describes the value as
    /// it was written, for a wrong type (`string "twenty"` in a file, `"twenty"` in a variable).
    func content(_ value: JSONValue, got: String? = nil, source: String) throws(SettingsError) -> ConfigContent {
        let wrongType = SettingsError(
            code: .wrongType, source: source, key: path,
            message: "\"\(path)\" must be \(typeDescription), got \(got ?? value.errorDescription)")
        switch (kind, value) {
        case (.string(_, let check), .string(let s)):
            try complain(check(s), source: source)
            return .string(s)
        case (.integer(_, let range), .number(let literal)):
            guard let n = Self.integer(fromLiteral: literal) else {
                guard let d = Double(literal), d == d.rounded(), d.isFinite else { throw wrongType }
                throw SettingsError(  // integral, but too large for an Int
                    code: .invalidValue, source: source, key: path,
                    message: "\"\(path)\" \(Checks.range(range, d < 0 ? Int.min : Int.max) ?? "is out of range"): \(literal)")
            }
            try complain(Checks.range(range, n), source: source)
            return .int(n)
        case (.number(_, let check), .number(let literal)):
            guard let d = Double(literal) else { throw wrongType }
            try complain(check(d), source: source)
            return .double(d)
        case (.boolean, .bool(let b)):
            return .bool(b)
        default:
            throw wrongType
        }
    }

    /// A command-line value (typed, or text to read as an environment variable is) or the
    /// text of an environment variable as this key's typed value, checked.
    func content(_ value: ConfigContent, source: String) throws(SettingsError) -> ConfigContent {
        switch value {
        case .int(let n): return try content(.number(String(n)), source: source)
        case .double(let d) where d.isFinite: return try content(.number("\(d)"), source: source)
        case .double(let d): return try content(.string("\(d)"), source: source)
        case .bool(let b): return try content(.bool(b), source: source)
        case .string(let text):
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            let json: JSONValue
            switch kind {
            case .string, .properties: json = .string(text)
            case .integer, .number: json = Self.looksNumeric(trimmed) ? .number(trimmed) : .string(text)
            case .boolean:
                switch trimmed.lowercased() {
                case "true", "1", "yes", "on": json = .bool(true)
                case "false", "0", "no", "off": json = .bool(false)
                default: json = .string(text)
                }
            }
            return try content(json, got: JSONWriter.quoted(text, limit: 60), source: source)
        default:
            return try content(.null, got: "\(value)", source: source)
        }
    }

    /// The entries of a `kafka.properties` object (given as text: a JSON object), stringified.
    func properties(_ value: JSONValue, source: String) throws(SettingsError) -> [(String, String)] {
        var value = value
        if case .string(let text) = value {
            do {
                value = try JSONValue.parse(Array(text.utf8))
            } catch {
                throw SettingsError(
                    code: .invalidJSON, source: source, key: path,
                    message: "\"\(path)\" must be a JSON object, invalid JSON at \(error.description)")
            }
        }
        guard case .object(let members) = value else {
            throw SettingsError(
                code: .wrongType, source: source, key: path,
                message: "\"\(path)\" must be \(typeDescription), got \(value.errorDescription)")
        }
        return try members.map { member throws(SettingsError) in
            let entry = "\(path).\(member.key)"
            if member.key.trimmingCharacters(in: .whitespaces).isEmpty {
                throw SettingsError(
                    code: .invalidValue, source: source, key: entry,
                    message: "\"\(path)\" must not contain an empty property name")
            }
            switch member.value {
            case .string(let s): return (member.key, s)
            case .number(let literal): return (member.key, literal)
            case .bool(let b): return (member.key, b ? "true" : "false")
            default:
                throw SettingsError(
                    code: .wrongType, source: source, key: entry,
                    message: "\"\(entry)\" must be a string, number or boolean, got \(member.value.errorDescription)")
            }
        }
    }

    private func complain(_ complaint: String?, source: String) throws(SettingsError) {
        if let complaint {
            throw SettingsError(code: .invalidValue, source: source, key: path, message: "\"\(path)\" \(complaint)")
        }
    }

    /// Parses an integer literal; accepts integral values written with a fraction or exponent (`2e1`, `20.0`).
    private static func integer(fromLiteral literal: String) -> Int? {
        if let n = Int(literal) { return n }
        guard let d = Double(literal), d.isFinite, d == d.rounded(), abs(d) < 9.0e15 else { return nil }
        return Int(d)
    }

    /// Only decimal notation: `Double("0x1p3")` and `Double("nan")` would otherwise be accepted.
    private static func looksNumeric(_ s: String) -> Bool {
        !s.isEmpty
            && s.utf8.allSatisfy { b in
                (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "-") || b == UInt8(ascii: "+")
                    || b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E")
            }
    }

    // MARK: - Reading and rendering

    /// Reads this key from `reader` into `settings`, the field's value being the default.
    func read(from reader: ConfigReader, into settings: inout ServiceSettings) {
        let key = ConfigKey(key.components)
        switch kind {
        case .string(let kp, _): settings[keyPath: kp] = reader.string(forKey: key, default: settings[keyPath: kp])
        case .integer(let kp, _): settings[keyPath: kp] = reader.int(forKey: key, default: settings[keyPath: kp])
        case .number(let kp, _): settings[keyPath: kp] = reader.double(forKey: key, default: settings[keyPath: kp])
        case .boolean(let kp): settings[keyPath: kp] = reader.bool(forKey: key, default: settings[keyPath: kp])
        case .properties: break
        }
    }

    /// The value of this key in `settings`, as JSON (secret `kafka.properties` masked when `redacted`).
    func jsonValue(in settings: ServiceSettings, redacted: Bool) -> JSONValue {
        switch kind {
        case .string(let kp, _): return .string(settings[keyPath: kp])
        case .integer(let kp, _): return .number(String(settings[keyPath: kp]))
        case .number(let kp, _): return .number(Checks.format(settings[keyPath: kp]))
        case .boolean(let kp): return .bool(settings[keyPath: kp])
        case .properties:
            return .object(
                settings.kafka.properties.map { name, value in
                    .init(key: name, value: .string(redacted && ServiceSettings.isSecretProperty(name) ? ServiceSettings.redactionMarker : value))
                })
        }
    }
}

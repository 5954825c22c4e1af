import Configuration
import Foundation

/// One leaf key of the configuration schema: its dotted path, type, constraints and accessor.
///
/// ``SettingDescriptor/all`` is the single source of truth for the loader, the
/// environment variable names, the JSON rendering and the schema tests. A descriptor turns
/// a value from a file (JSON) or from text (environment, flags) into the typed
/// swift-configuration value of its key, checking type and range, and reads the merged
/// value back from a `ConfigReader` into ``ServiceSettings``.
struct SettingDescriptor: Sendable {
    /// The type of a key, with the key path it reads and writes and its per-value check.
    ///
    /// A check returns `nil` when the value is fine, or the complaint (`must be >= 1, got 0`).
    enum Accessor: Sendable {
        case string(WritableKeyPath<ServiceSettings, String> & Sendable, check: @Sendable (String) -> String?)
        case integer(WritableKeyPath<ServiceSettings, Int> & Sendable, range: ClosedRange<Int>)
        case number(WritableKeyPath<ServiceSettings, Double> & Sendable, check: @Sendable (Double) -> String?)
        case boolean(WritableKeyPath<ServiceSettings, Bool> & Sendable)
        case stringMap(WritableKeyPath<ServiceSettings, [String: String]> & Sendable)
    }

    /// The dotted path, e.g. `processing.max_workers`.
    let path: String
    let accessor: Accessor

    /// `CARDGENIUS_` + the path upper-cased with `.` replaced by `_`.
    var environmentVariable: String {
        "CARDGENIUS_" + path.uppercased().replacingOccurrences(of: ".", with: "_")
    }

    /// The type's name in error messages: `an integer`, `a number`, ...
    var typeDescription: String {
        switch accessor {
        case .string: return "a string"
        case .integer: return "an integer"
        case .number: return "a number"
        case .boolean: return "a boolean"
        case .stringMap: return "an object of strings, numbers or booleans"
        }
    }

    /// The sections (objects) of the schema, as dotted paths.
    static let sections: [String] = ["kafka", "api", "api.retry", "api.rate_limit", "processing", "metrics"]

    /// Every leaf key, in schema order.
    static let all: [SettingDescriptor] = [
        .init(path: "kafka.bootstrap_servers", accessor: .string(\.kafka.bootstrapServers, check: Checks.bootstrapServers)),
        .init(path: "kafka.input_topic", accessor: .string(\.kafka.inputTopic, check: Checks.topic)),
        .init(path: "kafka.output_topic", accessor: .string(\.kafka.outputTopic, check: Checks.topic)),
        .init(path: "kafka.dlq_topic", accessor: .string(\.kafka.dlqTopic, check: Checks.topic)),
        .init(path: "kafka.group_id", accessor: .string(\.kafka.groupID, check: Checks.nonEmpty)),
        .init(path: "kafka.group_instance_id", accessor: .string(\.kafka.groupInstanceID, check: Checks.groupInstanceID)),
        .init(path: "kafka.output_compression", accessor: .string(\.kafka.outputCompression, check: Checks.compression)),
        .init(path: "kafka.group_protocol", accessor: .string(\.kafka.groupProtocol, check: Checks.groupProtocol)),
        .init(path: "kafka.properties", accessor: .stringMap(\.kafka.properties)),
        .init(path: "api.url", accessor: .string(\.api.url, check: Checks.httpURL)),
        .init(path: "api.user_agent", accessor: .string(\.api.userAgent, check: Checks.headerValue)),
        .init(path: "api.connect_timeout_s", accessor: .number(\.api.connectTimeoutSeconds, check: Checks.positive)),
        .init(path: "api.request_timeout_s", accessor: .number(\.api.requestTimeoutSeconds, check: Checks.positive)),
        .init(path: "api.retry.max_attempts", accessor: .integer(\.api.retry.maxAttempts, range: 1...100)),
        .init(path: "api.retry.base_delay_ms", accessor: .integer(\.api.retry.baseDelayMilliseconds, range: 0...Int.max)),
        .init(path: "api.retry.max_delay_ms", accessor: .integer(\.api.retry.maxDelayMilliseconds, range: 0...Int.max)),
        .init(path: "api.rate_limit.enabled", accessor: .boolean(\.api.rateLimit.enabled)),
        .init(path: "api.rate_limit.requests_per_second", accessor: .number(\.api.rateLimit.requestsPerSecond, check: Checks.nonNegative)),
        .init(path: "api.rate_limit.burst", accessor: .integer(\.api.rateLimit.burst, range: 1...Int.max)),
        .init(path: "processing.max_workers", accessor: .integer(\.processing.maxWorkers, range: 1...ServiceSettings.Processing.maxWorkersLimit)),
        .init(path: "processing.drain_timeout_s", accessor: .number(\.processing.drainTimeoutSeconds, check: Checks.positive)),
        .init(path: "processing.commit_interval_ms", accessor: .integer(\.processing.commitIntervalMilliseconds, range: 1...Int.max)),
        .init(path: "processing.stall_timeout_s", accessor: .number(\.processing.stallTimeoutSeconds, check: Checks.positive)),
        .init(path: "metrics.port", accessor: .integer(\.metrics.port, range: 0...65535)),
    ]

    /// Looks a leaf key up by its dotted path.
    static func named(_ path: String) -> SettingDescriptor? {
        all.first { $0.path == path }
    }

    /// Looks a leaf key up by its environment variable name.
    static func forEnvironmentVariable(_ name: String) -> SettingDescriptor? {
        all.first { $0.environmentVariable == name }
    }

    /// The dotted path of `kafka.properties`, the one key whose value is a map.
    static let propertiesPath = "kafka.properties"

    /// Whether this is `kafka.properties`.
    var isPropertyMap: Bool {
        if case .stringMap = accessor { return true }
        return false
    }

    /// The swift-configuration key: the path's components.
    var key: AbsoluteConfigKey { AbsoluteConfigKey(path.split(separator: ".").map(String.init)) }

    /// The key of one `kafka.properties` entry (its name may contain dots).
    static func propertyKey(_ name: String) -> AbsoluteConfigKey {
        AbsoluteConfigKey(["kafka", "properties", name])
    }

    /// The value of this key in `settings` (not for `kafka.properties`).
    func content(in settings: ServiceSettings) -> ConfigContent {
        switch accessor {
        case .string(let kp, _): return .string(settings[keyPath: kp])
        case .integer(let kp, _): return .int(settings[keyPath: kp])
        case .number(let kp, _): return .double(settings[keyPath: kp])
        case .boolean(let kp): return .bool(settings[keyPath: kp])
        case .stringMap: preconditionFailure("kafka.properties is a map")
        }
    }

    /// Stores the merged value of this key from `reader` into `settings` (not for `kafka.properties`).
    func assign(from reader: ConfigReader, into settings: inout ServiceSettings) {
        let key = ConfigKey(self.key.components)
        switch accessor {
        case .string(let kp, _): if let v = reader.string(forKey: key) { settings[keyPath: kp] = v }
        case .integer(let kp, _): if let v = reader.int(forKey: key) { settings[keyPath: kp] = v }
        case .number(let kp, _): if let v = reader.double(forKey: key) { settings[keyPath: kp] = v }
        case .boolean(let kp): if let v = reader.bool(forKey: key) { settings[keyPath: kp] = v }
        case .stringMap: preconditionFailure("kafka.properties is a map")
        }
    }

    /// A JSON value from a configuration file as this key's typed value, checked.
    func content(json value: JSONValue, source: String) throws(SettingsError) -> ConfigContent {
        func wrongType() -> SettingsError {
            SettingsError(
                code: .wrongType, source: source, key: path,
                message: "\"\(path)\" must be \(typeDescription), got \(value.errorDescription)"
            )
        }
        switch accessor {
        case .string(_, let check):
            guard case .string(let s) = value else { throw wrongType() }
            try complain(check(s), source: source)
            return .string(s)
        case .integer(_, let range):
            guard case .number(let literal) = value else { throw wrongType() }
            guard let n = SettingsLoader.integer(fromLiteral: literal) else {
                if let dbl = Double(literal), dbl == dbl.rounded(), dbl.isFinite {  // integral but too large
                    throw SettingsError(
                        code: .invalidValue, source: source, key: path,
                        message: "\"\(path)\" \(Checks.range(range, dbl < 0 ? Int.min : Int.max) ?? "is out of range"): \(literal)"
                    )
                }
                throw wrongType()
            }
            try complain(Checks.range(range, n), source: source)
            return .int(n)
        case .number(_, let check):
            guard case .number(let literal) = value, let dbl = Double(literal) else { throw wrongType() }
            try complain(check(dbl), source: source)
            return .double(dbl)
        case .boolean:
            guard case .bool(let b) = value else { throw wrongType() }
            return .bool(b)
        case .stringMap:
            preconditionFailure("kafka.properties is a map")
        }
    }

    /// Text from an environment variable or a flag as this key's typed value, checked.
    func content(text: String, source: String) throws(SettingsError) -> ConfigContent {
        func wrongType() -> SettingsError {
            SettingsError(
                code: .wrongType, source: source, key: path,
                message: "\"\(path)\" must be \(typeDescription), got \(JSONValue.quoted(text, limit: 60))"
            )
        }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        switch accessor {
        case .string(_, let check):
            try complain(check(text), source: source)
            return .string(text)
        case .integer(_, let range):
            guard Self.looksNumeric(trimmed), let n = SettingsLoader.integer(fromLiteral: trimmed) else { throw wrongType() }
            try complain(Checks.range(range, n), source: source)
            return .int(n)
        case .number(_, let check):
            guard Self.looksNumeric(trimmed), let dbl = Double(trimmed) else { throw wrongType() }
            try complain(check(dbl), source: source)
            return .double(dbl)
        case .boolean:
            switch trimmed.lowercased() {
            case "true", "1", "yes", "on": return .bool(true)
            case "false", "0", "no", "off": return .bool(false)
            default: throw wrongType()
            }
        case .stringMap:
            preconditionFailure("kafka.properties is a map")
        }
    }

    /// The entries of a `kafka.properties` object, stringified, in document order.
    func properties(json value: JSONValue, source: String) throws(SettingsError) -> [(String, String)] {
        guard case .object(let members) = value else {
            throw SettingsError(
                code: .wrongType, source: source, key: path,
                message: "\"\(path)\" must be \(typeDescription), got \(value.errorDescription)"
            )
        }
        var entries: [(String, String)] = []
        for member in members {
            let name = member.key
            let propertyPath = "\(path).\(name)"
            if name.trimmingCharacters(in: .whitespaces).isEmpty {
                throw SettingsError(
                    code: .invalidValue, source: source, key: propertyPath,
                    message: "\"\(path)\" must not contain an empty property name"
                )
            }
            switch member.value {
            case .string(let s): entries.append((name, s))
            case .number(let literal): entries.append((name, literal))
            case .bool(let b): entries.append((name, b ? "true" : "false"))
            default:
                throw SettingsError(
                    code: .wrongType, source: source, key: propertyPath,
                    message: "\"\(propertyPath)\" must be a string, number or boolean, got \(member.value.errorDescription)"
                )
            }
        }
        return entries
    }

    /// The entries of a `kafka.properties` JSON object given as text (environment, flags).
    func properties(text: String, source: String) throws(SettingsError) -> [(String, String)] {
        let json: JSONValue
        do {
            json = try JSONValue.parse(Array(text.utf8))
        } catch {
            throw SettingsError(
                code: .invalidJSON, source: source, key: path,
                message: "\"\(path)\" must be a JSON object, invalid JSON at \(error.description)"
            )
        }
        return try properties(json: json, source: source)
    }

    private func complain(_ complaint: String?, source: String) throws(SettingsError) {
        if let complaint {
            throw SettingsError(code: .invalidValue, source: source, key: path, message: "\"\(path)\" \(complaint)")
        }
    }

    /// Only decimal notation: `Double("0x1p3")` and `Double("nan")` would otherwise be accepted.
    private static func looksNumeric(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { b in
            (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "-") || b == UInt8(ascii: "+")
                || b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E")
        }
    }

    /// The value of this key in `settings`, as JSON (secrets in `kafka.properties` masked when `redacted`).
    func jsonValue(in settings: ServiceSettings, redacted: Bool) -> JSONValue {
        switch accessor {
        case .string(let kp, _): return .string(settings[keyPath: kp])
        case .integer(let kp, _): return .number(String(settings[keyPath: kp]))
        case .number(let kp, _): return .number(Checks.format(settings[keyPath: kp]))
        case .boolean(let kp): return .bool(settings[keyPath: kp])
        case .stringMap(let kp):
            let members = settings[keyPath: kp].map { name, value in
                JSONValue.Member(
                    key: name,
                    value: .string(redacted && ServiceSettings.isSecretProperty(name) ? ServiceSettings.redactionMarker : value)
                )
            }
            return .object(members)
        }
    }
}

/// Per-value checks and number formatting for ``SettingDescriptor``.
enum Checks {
    static func nonEmpty(_ s: String) -> String? {
        s.trimmingCharacters(in: .whitespaces).isEmpty ? "must not be empty" : nil
    }

    /// Empty (dynamic membership) or an id of at most 249 characters without spaces or control characters.
    static func groupInstanceID(_ s: String) -> String? {
        if s.isEmpty { return nil }
        if s.utf8.count > 249 { return "must be at most 249 characters, got \(s.utf8.count)" }
        if s.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }) {
            return "must not contain spaces or control characters, got \(JSONValue.quoted(s, limit: 60))"
        }
        return nil
    }

    /// The output codecs offered: fast (`lz4`), small (`zstd`), or none.
    static let compressionCodecs = ["lz4", "zstd", "none"]

    static let groupProtocols = ["classic", "consumer"]

    static func groupProtocol(_ s: String) -> String? {
        groupProtocols.contains(s) ? nil : "must be one of \(groupProtocols.joined(separator: ", ")), got \(JSONValue.quoted(s, limit: 60))"
    }

    static func compression(_ s: String) -> String? {
        compressionCodecs.contains(s) ? nil : "must be one of \(compressionCodecs.joined(separator: ", ")), got \(JSONValue.quoted(s, limit: 60))"
    }

    static func headerValue(_ s: String) -> String? {
        if let complaint = nonEmpty(s) { return complaint }
        if s.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            return "must not contain control characters, got \(JSONValue.quoted(s, limit: 60))"
        }
        return nil
    }

    static func bootstrapServers(_ s: String) -> String? {
        if let complaint = nonEmpty(s) { return complaint }
        let entries = s.split(separator: ",", omittingEmptySubsequences: false)
        for entry in entries {
            let trimmed = entry.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty {
                return "must be a comma-separated list of host:port, got \(JSONValue.quoted(s, limit: 60)) (empty entry)"
            }
            if trimmed.contains(where: { $0 == " " || $0 == "\t" }) {
                return "must be a comma-separated list of host:port, got \(JSONValue.quoted(s, limit: 60))"
            }
        }
        return nil
    }

    /// Kafka topic names: 1...249 characters of `[a-zA-Z0-9._-]`, not `.` or `..`.
    static func topic(_ s: String) -> String? {
        if s.isEmpty { return "must not be empty" }
        if s.utf8.count > 249 { return "must be at most 249 characters, got \(s.utf8.count)" }
        if s == "." || s == ".." { return "must not be \"\(s)\"" }
        let legal = s.utf8.allSatisfy { b in
            (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
                || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
                || b == UInt8(ascii: ".") || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
        }
        if !legal {
            return "must be a legal Kafka topic name (letters, digits, '.', '_', '-'), got \(JSONValue.quoted(s, limit: 60))"
        }
        return nil
    }

    static func httpURL(_ s: String) -> String? {
        let complaint = "must be an http:// or https:// URL with a host, got \(JSONValue.quoted(s, limit: 80))"
        guard let components = URLComponents(string: s),
              let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = components.host, !host.isEmpty
        else { return complaint }
        if let port = components.port, !(1...65535).contains(port) { return complaint }
        return nil
    }

    static func positive(_ d: Double) -> String? {
        guard d.isFinite else { return "must be a finite number, got \(format(d))" }
        return d > 0 ? nil : "must be > 0, got \(format(d))"
    }

    static func nonNegative(_ d: Double) -> String? {
        guard d.isFinite else { return "must be a finite number, got \(format(d))" }
        return d >= 0 ? nil : "must be >= 0, got \(format(d))"
    }

    static func range(_ range: ClosedRange<Int>, _ value: Int) -> String? {
        if range.contains(value) { return nil }
        if range.upperBound == Int.max { return "must be >= \(range.lowerBound), got \(value)" }
        return "must be in \(range.lowerBound)...\(range.upperBound), got \(value)"
    }

    /// Integral values without `.0`, others in Swift's shortest round-tripping form.
    static func format(_ d: Double) -> String {
        if d.isFinite, d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        return "\(d)"
    }
}

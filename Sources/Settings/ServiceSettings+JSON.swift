import StrictJSON

extension ServiceSettings: CustomStringConvertible, CustomDebugStringConvertible {
    /// What secret values are replaced with.
    package static let redactionMarker = "***"

    /// Whether a Kafka property holds a secret and must never be printed: its name contains
    /// `password`, `secret`, `token`, `sasl.jaas`, `key` (`ssl.key.password`, `ssl.key.pem`, ...),
    /// `credential` or `sasl.oauthbearer.config` (case-insensitive).
    package static func isSecretProperty(_ name: String) -> Bool {
        let lowered = name.lowercased()
        return ["password", "secret", "token", "sasl.jaas", "key", "credential", "sasl.oauthbearer.config"]
            .contains { lowered.contains($0) }
    }

    /// A copy with every secret Kafka property replaced by `"***"`.
    package func redacted() -> ServiceSettings {
        var copy = self
        for name in copy.kafka.properties.keys where Self.isSecretProperty(name) {
            copy.kafka.properties[name] = Self.redactionMarker
        }
        return copy
    }

    /// The configuration as one line of JSON with secrets masked; safe to log.
    package var redactedDescription: String {
        render(redacted: true, pretty: false)
    }

    /// Same as ``redactedDescription``: settings never print secrets.
    package var description: String { redactedDescription }

    /// Same as ``redactedDescription``.
    package var debugDescription: String { redactedDescription }

    /// The effective configuration as a JSON document in the configuration-file schema,
    /// pretty-printed with keys sorted (for `cardgenius config show`).
    ///
    /// - Parameter redacted: mask secret Kafka properties as `"***"` (the default).
    package func jsonString(redacted: Bool = true) -> String {
        render(redacted: redacted, pretty: true)
    }

    private func render(redacted: Bool, pretty: Bool) -> String {
        var out = ""
        section("", redacted: redacted).write(to: &out, pretty: pretty, indent: 0)
        return pretty ? out + "\n" : out
    }

    /// The keys under `prefix` (`""`, `"kafka."`, ...) as a JSON object, sections nested.
    fileprivate func section(_ prefix: String, redacted: Bool) -> JSONValue {
        func child(_ path: String) -> String? {
            path.hasPrefix(prefix) && !path.dropFirst(prefix.count).contains(".") ? String(path.dropFirst(prefix.count)) : nil
        }
        let leaves = SettingKey.all.compactMap { key in child(key.path).map { JSONValue.Member(key: $0, value: key.jsonValue(in: self, redacted: redacted)) } }
        let sections = SettingKey.sections.compactMap { path in child(path).map { JSONValue.Member(key: $0, value: section(path + ".", redacted: redacted)) } }
        return .object(leaves + sections)
    }
}

extension ServiceSettings.Kafka: CustomStringConvertible, CustomReflectable {
    private var redactedSettings: ServiceSettings {
        var settings = ServiceSettings()
        settings.kafka = self
        return settings.redacted()
    }

    /// The Kafka settings as one line of JSON with secret properties masked; never prints secrets.
    package var description: String {
        var out = ""
        redactedSettings.section("kafka.", redacted: true).write(to: &out, pretty: false, indent: 0)
        return out
    }

    /// Mirrors the redacted form so that `dump()` and debuggers do not show secrets.
    package var customMirror: Mirror {
        let redacted = redactedSettings.kafka
        return Mirror(
            self,
            children: [
                "bootstrapServers": redacted.bootstrapServers, "inputTopic": redacted.inputTopic,
                "outputTopic": redacted.outputTopic, "dlqTopic": redacted.dlqTopic, "groupID": redacted.groupID,
                "properties": redacted.properties,
            ], displayStyle: .struct)
    }
}

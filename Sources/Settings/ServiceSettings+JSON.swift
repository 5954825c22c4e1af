import StrictJSON

extension ServiceSettings: CustomStringConvertible, CustomDebugStringConvertible {
    /// What secret values are replaced with.
    public static let redactionMarker = "***"

    /// Whether a Kafka property holds a secret and must never be printed: its name contains
    /// `password`, `secret`, `token`, `sasl.jaas`, `key` (`ssl.key.password`, `ssl.key.pem`, ...),
    /// `credential` or `sasl.oauthbearer.config` (case-insensitive).
    public static func isSecretProperty(_ name: String) -> Bool {
        let lowered = name.lowercased()
        return ["password", "secret", "token", "sasl.jaas", "key", "credential", "sasl.oauthbearer.config"]
            .contains { lowered.contains($0) }
    }

    /// A copy with every secret Kafka property replaced by `"***"`.
    public func redacted() -> ServiceSettings {
        var copy = self
        for name in copy.kafka.properties.keys where Self.isSecretProperty(name) {
            copy.kafka.properties[name] = Self.redactionMarker
        }
        return copy
    }

    /// The configuration as one line of JSON with secrets masked; safe to log.
    public var redactedDescription: String {
        render(redacted: true, pretty: false)
    }

    /// Same as ``redactedDescription``: settings never print secrets.
    public var description: String { redactedDescription }

    /// Same as ``redactedDescription``.
    public var debugDescription: String { redactedDescription }

    /// The effective configuration as a JSON document in the configuration-file schema,
    /// pretty-printed with keys sorted (for `cardgenius config show`).
    ///
    /// - Parameter redacted: mask secret Kafka properties as `"***"` (the default).
    public func jsonString(redacted: Bool = true) -> String {
        render(redacted: redacted, pretty: true)
    }

    private func render(redacted: Bool, pretty: Bool) -> String {
        var root: [JSONValue.Member] = []
        for key in SettingKey.all {
            Self.insert(key.jsonValue(in: self, redacted: redacted), at: key.key.components[...], into: &root)
        }
        var out = ""
        JSONValue.object(root).write(to: &out, pretty: pretty, indent: 0)
        if pretty { out += "\n" }
        return out
    }

    private static func insert(_ value: JSONValue, at path: ArraySlice<String>, into members: inout [JSONValue.Member]) {
        guard let head = path.first else { return }
        if path.count == 1 {
            members.append(.init(key: head, value: value))
            return
        }
        if let i = members.firstIndex(where: { $0.key == head }), case .object(var nested) = members[i].value {
            insert(value, at: path.dropFirst(), into: &nested)
            members[i].value = .object(nested)
        } else {
            var nested: [JSONValue.Member] = []
            insert(value, at: path.dropFirst(), into: &nested)
            members.append(.init(key: head, value: .object(nested)))
        }
    }
}

extension ServiceSettings.Kafka: CustomStringConvertible {
    /// The Kafka settings as JSON with secret properties masked; never prints secrets.
    public var description: String {
        var settings = ServiceSettings()
        settings.kafka = self
        return settings.redacted().kafka.plainDescription
    }

    private var plainDescription: String {
        let props = properties.keys.sorted().map { "\(JSONWriter.quoted($0)): \(JSONWriter.quoted(properties[$0] ?? ""))" }
        return "Kafka(bootstrapServers: \(JSONWriter.quoted(bootstrapServers)), inputTopic: \(JSONWriter.quoted(inputTopic)), "
            + "outputTopic: \(JSONWriter.quoted(outputTopic)), dlqTopic: \(JSONWriter.quoted(dlqTopic)), "
            + "groupID: \(JSONWriter.quoted(groupID)), properties: [\(props.joined(separator: ", "))])"
    }
}

extension ServiceSettings.Kafka: CustomReflectable {
    /// Mirrors the redacted form so that `dump()` and debuggers do not show secrets.
    public var customMirror: Mirror {
        var copy = ServiceSettings()
        copy.kafka = self
        let redacted = copy.redacted().kafka
        return Mirror(
            self,
            children: [
                "bootstrapServers": redacted.bootstrapServers, "inputTopic": redacted.inputTopic,
                "outputTopic": redacted.outputTopic, "dlqTopic": redacted.dlqTopic, "groupID": redacted.groupID,
                "properties": redacted.properties,
            ],
            displayStyle: .struct
        )
    }
}

import Configuration
import StrictJSON

/// The cardgenius configuration file format, as a swift-configuration file snapshot.
///
/// The document is strict JSON (line and column in every syntax error, duplicate keys
/// rejected); its keys must be the schema's (`processing.max_workers`, ...), each value of
/// the key's type and within its range. The first problem, in document order, is a
/// ``SettingsError`` naming the file and the key. Values are typed (`int`, `double`,
/// `string`, `bool`); each entry of `kafka.properties` is the string key
/// `kafka.properties.<name>`, secret when ``ServiceSettings/isSecretProperty(_:)`` says so.
///
/// Works with swift-configuration's `FileProvider` and `ReloadingFileProvider` (which
/// ``SettingsWatcher`` runs):
///
/// ```swift
/// let provider = try await ReloadingFileProvider<SettingsFileSnapshot>(filePath: "config/real_config.json")
/// ```
package struct SettingsFileSnapshot: Sendable {
    /// How the document is named and what an invalid one yields.
    package struct ParsingOptions: FileParsingOptions {
        /// How errors name the document (its path); `nil` for the provider's name.
        package var source: String?
        /// Whether an invalid document yields a snapshot that holds the error (every lookup
        /// throws it) instead of failing: a `ReloadingFileProvider` drops a change it cannot
        /// parse with a debug line, so its watchers would never hear of an invalid edit.
        package var keepsErrors: Bool

        /// Creates options.
        package init(source: String? = nil, keepsErrors: Bool = false) {
            self.source = source
            self.keepsErrors = keepsErrors
        }

        /// Errors name the provider; an invalid document fails.
        package static var `default`: Self { .init() }
    }

    /// The file's checked values, or why it is invalid.
    let layer: Result<SettingsLayer, SettingsError>

    /// The name errors and descriptions use for the file, usually its path.
    package let providerName: String

    /// Parses and checks a configuration document; `source` names it in errors (usually its path).
    init(bytes: [UInt8], source: String) throws(SettingsError) {
        providerName = source
        layer = .success(try Self.read(bytes, source: source))
    }

    private static func read(_ bytes: [UInt8], source: String) throws(SettingsError) -> SettingsLayer {
        let root: JSONValue
        do {
            root = try JSONValue.parse(bytes)
        } catch {
            throw SettingsError(code: .invalidJSON, source: source, message: "invalid JSON at \(error.description)")
        }
        guard case .object(let members) = root else {
            throw SettingsError(
                code: .wrongType, source: source,
                message: "the top level must be a JSON object, got \(root.errorDescription)")
        }
        var layer = SettingsLayer(name: source)
        try read(members, prefix: "", source: source, into: &layer)
        return layer
    }

    private static func read(
        _ members: [JSONValue.Member], prefix: String, source: String, into layer: inout SettingsLayer
    ) throws(SettingsError) {
        for member in members {
            let path = prefix + member.key
            let isSchema = prefix.isEmpty && member.key == "$schema"
            if isSchema || SettingKey.sections.contains(path) {
                switch (isSchema, member.value) {
                case (true, .string): continue
                case (false, .object(let nested)): try read(nested, prefix: path + ".", source: source, into: &layer)
                default:
                    throw SettingsError(
                        code: .wrongType, source: source, key: path,
                        message: "\"\(path)\" must be \(isSchema ? "a string" : "an object"), got \(member.value.errorDescription)")
                }
            } else if let key = SettingKey.named(path) {
                if case .properties = key.kind {
                    for (name, value) in try key.properties(member.value, source: source) {
                        layer.setProperty(name, value, source: source)
                    }
                } else {
                    layer.set(try key.content(member.value, source: source), for: key, source: source)
                }
            } else {
                throw SettingsLoader.unknownKey(path, source: source)
            }
        }
    }
}

extension SettingsFileSnapshot: FileConfigSnapshot {
    /// Parses a configuration file read by a `FileProvider` or `ReloadingFileProvider`; throws
    /// (or, with ``ParsingOptions/keepsErrors``, keeps) a ``SettingsError`` naming the file.
    package init(data: RawSpan, providerName: String, parsingOptions: ParsingOptions) throws {
        let source = parsingOptions.source ?? providerName
        self.providerName = source
        let layer = Result { () throws(SettingsError) in try Self.read(data.withUnsafeBytes { Array($0) }, source: source) }
        if case .failure(let error) = layer, !parsingOptions.keepsErrors { throw error }
        self.layer = layer
    }

    /// The typed value of `key`, if the file sets it.
    package func value(forKey key: AbsoluteConfigKey, type: ConfigType) throws -> LookupResult {
        try layer.get().provider.value(forKey: key, type: type)
    }

    /// `<file>[N values]`.
    package var description: String { "\(providerName)[\((try? layer.get())?.values.count ?? 0) values]" }

    /// Same as ``description``: values are not listed, so secrets never show.
    package var debugDescription: String { description }
}

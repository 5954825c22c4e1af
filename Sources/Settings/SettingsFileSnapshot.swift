import Configuration

/// The cardgenius configuration file format, as a swift-configuration file snapshot.
///
/// The document is strict JSON (line and column in every syntax error, duplicate keys
/// rejected); its keys must be the schema's (`processing.max_workers`, ...), each value of
/// the key's type and within its range. The first problem, in document order, is thrown as
/// a ``SettingsError`` naming the file and the key. Values are typed (`int`, `double`,
/// `string`, `bool`); each entry of `kafka.properties` is the string key
/// `kafka.properties.<name>`, secret when ``ServiceSettings/isSecretProperty(_:)`` says so.
///
/// Because it is a `FileConfigSnapshot`, the same format works with swift-configuration's
/// `FileProvider` and `ReloadingFileProvider`:
///
/// ```swift
/// let provider = try await ReloadingFileProvider<SettingsFileSnapshot>(filePath: "config/real_config.json")
/// ```
public struct SettingsFileSnapshot: Sendable {
    /// Parsing options of the format; it has none (the schema fixes types and secrets).
    public struct ParsingOptions: FileParsingOptions {
        /// The only options.
        public static var `default`: Self { .init() }
    }

    /// The file's values, and where each came from.
    let layer: SettingsLayer

    /// The name errors and descriptions use for the file, usually its path.
    public var providerName: String { layer.name }

    /// Parses and validates a configuration document.
    ///
    /// - Parameters:
    ///   - bytes: the document.
    ///   - source: how errors name the document, usually its path.
    init(bytes: [UInt8], source: String) throws(SettingsError) {
        let root: JSONValue
        do {
            root = try JSONValue.parse(bytes)
        } catch {
            throw SettingsError(code: .invalidJSON, source: source, message: "invalid JSON at \(error.description)")
        }
        guard case .object(let members) = root else {
            throw SettingsError(
                code: .wrongType, source: source,
                message: "the top level must be a JSON object, got \(root.errorDescription)"
            )
        }
        var layer = SettingsLayer(rank: .file, name: source)
        try Self.read(members, prefix: "", source: source, into: &layer)
        self.layer = layer
    }

    private static func read(
        _ members: [JSONValue.Member], prefix: String, source: String, into layer: inout SettingsLayer
    ) throws(SettingsError) {
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
                try read(nested, prefix: path + ".", source: source, into: &layer)
            } else if let descriptor = SettingDescriptor.named(path) {
                if descriptor.isPropertyMap {
                    for (name, value) in try descriptor.properties(json: member.value, source: source) {
                        layer.setProperty(name, value, source: source)
                    }
                } else {
                    layer.set(try descriptor.content(json: member.value, source: source), for: descriptor, source: source)
                }
            } else {
                throw SettingsLoader.unknownKey(path, source: source)
            }
        }
    }
}

extension SettingsFileSnapshot: FileConfigSnapshot {
    /// Parses a configuration file read by a `FileProvider` or `ReloadingFileProvider`;
    /// throws a ``SettingsError`` naming `providerName` as the source.
    public init(data: RawSpan, providerName: String, parsingOptions: ParsingOptions) throws {
        let bytes = data.withUnsafeBytes { Array($0) }
        try self.init(bytes: bytes, source: providerName)
    }

    /// The typed value of `key`, if the file sets it.
    public func value(forKey key: AbsoluteConfigKey, type: ConfigType) throws -> LookupResult {
        try layer.provider.value(forKey: key, type: type)
    }

    /// `<file>[N values]`.
    public var description: String { "\(providerName)[\(layer.values.count) values]" }

    /// Same as ``description``: values are not listed, so secrets never show.
    public var debugDescription: String { description }
}

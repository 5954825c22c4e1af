/// The librdkafka this process loaded (not the headers it was built with: librdkafka keeps
/// its ABI across 2.x, so a binary built on Debian's 2.0.2 runs on a newer library found
/// through `LD_LIBRARY_PATH`).
public enum KafkaLibrary {
    /// librdkafka's version number: `0xMMmmrrxx` (major, minor, revision, pre-release).
    public static var version: Int { RDKafkaLibrary.version }

    /// librdkafka's version string, for example `2.16.0`.
    public static var versionString: String { RDKafkaLibrary.versionString }

    /// The first librdkafka with the consumer group protocol of KIP-848 as GA (2.12.0).
    public static let consumerGroupProtocolVersion = 0x020c_0000

    /// Whether the loaded librdkafka speaks `group.protocol=consumer`.
    public static var supportsConsumerGroupProtocol: Bool { version >= consumerGroupProtocolVersion }

    /// `0x020c0000` as `2.12.0`.
    public static func describe(version: Int) -> String {
        "\((version >> 24) & 0xff).\((version >> 16) & 0xff).\((version >> 8) & 0xff)"
    }
}

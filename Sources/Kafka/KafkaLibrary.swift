import CRDKafka
#if canImport(Glibc)
import Glibc
#endif

/// The librdkafka this process loaded (not the headers it was built with: librdkafka keeps
/// its ABI across 2.x, so a binary built on Debian's 2.0.2 runs on a newer library found
/// through `LD_LIBRARY_PATH`).
public enum KafkaLibrary {
    /// `rd_kafka_version()`: `0xMMmmrrxx` (major, minor, revision, pre-release).
    public static var version: Int { Int(rd_kafka_version()) }

    /// `rd_kafka_version_str()`, for example `2.16.0`.
    public static var versionString: String { String(cString: rd_kafka_version_str()) }

    /// The first librdkafka with the consumer group protocol of KIP-848 as GA (2.12.0).
    public static let consumerGroupProtocolVersion = 0x020c_0000

    /// Whether the loaded librdkafka speaks `group.protocol=consumer`.
    public static var supportsConsumerGroupProtocol: Bool { version >= consumerGroupProtocolVersion }

    /// `0x020c0000` as `2.12.0`.
    public static func describe(version: Int) -> String {
        "\((version >> 24) & 0xff).\((version >> 16) & 0xff).\((version >> 8) & 0xff)"
    }

    /// A function librdkafka exports only in later versions, looked up by name so that this
    /// binary still loads on the oldest librdkafka it supports (Debian 12's 2.0.2).
    static func symbol<T>(_ name: String, as type: T.Type) -> T? {
        // RTLD_DEFAULT (a null handle): every object loaded, librdkafka among them.
        guard let raw = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
        return unsafeBitCast(raw, to: type)
    }
}

internal import CRDKafka

#if canImport(Glibc)
import Glibc
#endif

/// The librdkafka this process loaded, as ``KafkaLibrary`` reports it.
enum RDKafkaLibrary {
    /// `rd_kafka_version()`: `0xMMmmrrxx` (major, minor, revision, pre-release).
    static var version: Int { Int(rd_kafka_version()) }

    /// `rd_kafka_version_str()`, for example `2.16.0`.
    static var versionString: String { String(cString: rd_kafka_version_str()) }

    /// A function librdkafka exports only in later versions, looked up by name so that this
    /// binary still loads on the oldest librdkafka it supports (Debian 12's 2.0.2).
    static func symbol<T>(_ name: String, as type: T.Type) -> T? {
        // RTLD_DEFAULT (a null handle): every object loaded, librdkafka among them.
        guard let raw = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
        return unsafeBitCast(raw, to: type)
    }
}

import Foundation
import StrictJSON

/// Per-value checks and number formatting for ``SettingKey``.
enum Checks {
    static func nonEmpty(_ s: String) -> String? {
        s.trimmingCharacters(in: .whitespaces).isEmpty ? "must not be empty" : nil
    }

    /// Empty (dynamic membership) or an id of at most 249 characters without spaces or control characters.
    static func groupInstanceID(_ s: String) -> String? {
        if s.isEmpty { return nil }
        if s.utf8.count > 249 { return "must be at most 249 characters, got \(s.utf8.count)" }
        if s.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }) {
            return "must not contain spaces or control characters, got \(JSONWriter.quoted(s, limit: 60))"
        }
        return nil
    }

    /// The output codecs offered: fast (`lz4`), small (`zstd`), or none.
    static let compression = oneOf(["lz4", "zstd", "none"])
    static let groupProtocol = oneOf(["classic", "consumer"])

    private static func oneOf(_ choices: [String]) -> @Sendable (String) -> String? {
        { s in choices.contains(s) ? nil : "must be one of \(choices.joined(separator: ", ")), got \(JSONWriter.quoted(s, limit: 60))" }
    }

    static func headerValue(_ s: String) -> String? {
        if let complaint = nonEmpty(s) { return complaint }
        if s.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            return "must not contain control characters, got \(JSONWriter.quoted(s, limit: 60))"
        }
        return nil
    }

    static func bootstrapServers(_ s: String) -> String? {
        if let complaint = nonEmpty(s) { return complaint }
        let entries = s.split(separator: ",", omittingEmptySubsequences: false)
        for entry in entries {
            let trimmed = entry.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty {
                return "must be a comma-separated list of host:port, got \(JSONWriter.quoted(s, limit: 60)) (empty entry)"
            }
            if trimmed.contains(where: { $0 == " " || $0 == "\t" }) {
                return "must be a comma-separated list of host:port, got \(JSONWriter.quoted(s, limit: 60))"
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
            return "must be a legal Kafka topic name (letters, digits, '.', '_', '-'), got \(JSONWriter.quoted(s, limit: 60))"
        }
        return nil
    }

    static func httpURL(_ s: String) -> String? {
        let complaint = "must be an http:// or https:// URL with a host, got \(JSONWriter.quoted(s, limit: 80))"
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

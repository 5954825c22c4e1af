import Foundation

/// Number formatting for plan output: locale-independent, decimal units as in the spec.
enum PlanFormat {
    /// `x` with `digits` decimals.
    static func fixed(_ x: Double, _ digits: Int) -> String {
        String(format: "%.\(digits)f", x)
    }

    /// An integer-looking value without decimals, else up to 2 decimals (`10`, `2.5`, `3.75`).
    static func number(_ x: Double) -> String {
        if x.rounded() == x, abs(x) < 1e15 { return grouped(Int(x)) }
        var s = fixed(x, 2)
        while s.hasSuffix("0") { s.removeLast() }
        return s
    }

    /// `1234567` → `1,234,567`.
    static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return n < 0 ? "-" + out : out
    }

    /// A count that may be fractional (expected requests with retries): grouped when whole.
    static func count(_ x: Double) -> String {
        let r = x.rounded()
        if abs(r - x) < 1e-6, abs(r) < 9e15 { return grouped(Int(r)) }
        return grouped(Int(x.rounded(.down))) + String(fixed(x - x.rounded(.down), 1).dropFirst())
    }

    /// `0.0123` → `1.23 %`.
    static func percent(_ x: Double) -> String {
        fixed(x * 100, 2) + " %"
    }

    /// Seconds as `h:mm` (`150000` → `41:40`), rounded to the minute.
    static func hoursMinutes(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "∞" }
        let minutes = Int((seconds / 60).rounded())
        return "\(minutes / 60):" + (minutes % 60 < 10 ? "0" : "") + "\(minutes % 60)"
    }

    /// A short human duration: `30 s`, `12.5 min`, `1.04 h`, `41.7 h`.
    static func duration(_ seconds: Double) -> String {
        if seconds < 120 { return "\(number((seconds * 10).rounded() / 10)) s" }
        if seconds < 3600 { return "\(number((seconds / 6).rounded() / 10)) min" }
        let hours = seconds / 3600
        return hours < 10 ? "\(fixed(hours, 2)) h" : "\(fixed(hours, 1)) h"
    }

    /// Bytes per second as `KB/s` (1 KB = 1000 B).
    static func kbPerSecond(_ bytesPerSecond: Double) -> String {
        "\(fixed(bytesPerSecond / 1000, 1)) KB/s"
    }

    /// Bytes per second as `Mbps` (10⁶ bits/s).
    static func mbps(_ bytesPerSecond: Double) -> String {
        "\(fixed(bytesPerSecond * 8 / 1_000_000, 2)) Mbps"
    }

    /// Bytes as `KB` (small) or `MB`/`GB`.
    static func bytes(_ b: Double) -> String {
        if b < 1_000_000 { return "\(fixed(b / 1000, 1)) KB" }
        if b < 1_000_000_000 { return "\(fixed(b / 1_000_000, 1)) MB" }
        return "\(fixed(b / 1_000_000_000, 2)) GB"
    }
}

import Foundation

/// Parsing of the `Retry-After` response header (RFC 9110 §10.2.3).
///
/// The header comes from outside: any value (huge, negative, a date in the year 999999999,
/// garbage, a megabyte long) yields nil or a wait between zero and ``longestAsked``; nothing
/// in here can trap. What the member then honours is capped by ``longestHonoured``.
public enum RetryAfter {
    /// The longest wait a `Retry-After` imposes, on the whole member (its hold) and on the
    /// record that was told (its back-off). A longer one is applied as this, and logged:
    /// CardGenius asking for a day's pause must not pin a partition's commit point for a day.
    public static let longestHonoured: Duration = .seconds(300)

    /// Asked waits saturate here (about 31 years): far above ``longestHonoured``, far below
    /// anything whose arithmetic could overflow.
    public static let longestAsked: Duration = .seconds(1_000_000_000)

    /// Header values longer than this are not a delta-seconds nor an HTTP-date worth reading
    /// (an IMF-fixdate is 29 characters).
    static let longestValue = 64

    /// The wait `asked` turns into: at most ``longestHonoured``, never negative.
    public static func honoured(_ asked: Duration) -> Duration {
        max(.zero, min(asked, longestHonoured))
    }

    /// Parses `value` as delta-seconds (`"120"`, also accepting a fraction such as `"1.5"`) or
    /// an HTTP-date (`"Sun, 06 Nov 1994 08:49:37 GMT"`, also the obsolete RFC 850 and asctime
    /// forms, read by Foundation's date parser in the `en_US_POSIX` locale and GMT). A date in
    /// the past yields zero; a wait longer than ``longestAsked`` yields ``longestAsked``.
    /// Returns nil for anything else (garbage, a negative number, a date Foundation cannot
    /// read, such as one in the year 999999999).
    public static func parse(_ value: String, now: Date = Date()) -> Duration? {
        guard value.utf8.count <= Self.longestValue else { return nil }
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return nil }
        if trimmed.utf8.allSatisfy({ ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: ".") }) {
            guard let seconds = Double(trimmed), !seconds.isNaN, seconds >= 0 else { return nil }
            return Self.duration(seconds: seconds)
        }
        guard let date = Self.parseHTTPDate(trimmed) else { return nil }
        let interval = date.timeIntervalSince(now)
        guard !interval.isNaN else { return nil }
        return interval <= 0 ? .zero : Self.duration(seconds: interval.rounded(.up))
    }

    /// `seconds` (not NaN, not negative) as a duration in milliseconds, saturating at
    /// ``longestAsked`` (which also covers infinity) before any integer conversion.
    static func duration(seconds: Double) -> Duration {
        let longest = Double(Self.longestAsked.components.seconds)
        guard seconds < longest else { return Self.longestAsked }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// The three HTTP-date forms of RFC 9110 §5.6.7, in UTC; each a Foundation parse strategy
    /// (value types, safe to share between threads).
    private static let httpDateStrategies: [Date.ParseStrategy] = {
        let posix = Locale(identifier: "en_US_POSIX")
        let gmt = TimeZone(identifier: "GMT") ?? TimeZone(secondsFromGMT: 0)!
        let clock = Date.FormatStyle.Symbol.VerbatimHour.twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)
        // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
        let imf: Date.FormatString = """
            \(weekday: .abbreviated), \(day: .twoDigits) \(month: .abbreviated) \(year: .defaultDigits) \
            \(hour: clock):\(minute: .twoDigits):\(second: .twoDigits) GMT
            """
        // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
        let rfc850: Date.FormatString = """
            \(weekday: .wide), \(day: .twoDigits)-\(month: .abbreviated)-\(year: .twoDigits) \
            \(hour: clock):\(minute: .twoDigits):\(second: .twoDigits) GMT
            """
        // asctime: Sun Nov  6 08:49:37 1994 (runs of spaces are collapsed before parsing)
        let asctime: Date.FormatString = """
            \(weekday: .abbreviated) \(month: .abbreviated) \(day: .defaultDigits) \
            \(hour: clock):\(minute: .twoDigits):\(second: .twoDigits) \(year: .defaultDigits)
            """
        return [imf, rfc850, asctime].map {
            Date.ParseStrategy(format: $0, locale: posix, timeZone: gmt, isLenient: false)
        }
    }()

    /// Parses the three HTTP-date forms of RFC 9110 §5.6.7, in UTC, with Foundation.
    static func parseHTTPDate(_ value: String) -> Date? {
        let collapsed = value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        for strategy in Self.httpDateStrategies {
            if let date = try? strategy.parse(collapsed) { return date }
        }
        return nil
    }
}

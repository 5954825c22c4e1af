import Foundation

/// Parses and prints the ISO-8601 timestamps the operations commands accept.
///
/// Accepted: `2026-11-23T00:00:00Z`, with fractional seconds (`…:00.250Z`, up to
/// nanoseconds, kept to the millisecond), with an offset (`+05:30`, `-0800`, `+05`), with
/// a space instead of `T`, minutes without seconds (`2026-11-23T06:30Z`), and a bare date
/// (`2026-11-23`, midnight UTC). A time without a zone is refused as ambiguous.
///
/// The lenient forms are read (and each impossible field named) here; the instant itself
/// is computed, and printed, by Foundation's `Date.ISO8601FormatStyle` from the canonical
/// form (`2026-11-23T05:30:00.000+05:30`).
package enum ISO8601Timestamp {
    /// The canonical form, with milliseconds; prints in UTC (`Z`).
    private static let withMilliseconds = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
    /// The canonical form without fractional seconds, for whole seconds.
    private static let wholeSeconds = Date.ISO8601FormatStyle()

    /// Milliseconds since the Unix epoch, or an error naming what is wrong.
    package static func parse(_ text: String) throws(OperationError) -> Int64 {
        var s = Scanner(Array(text.utf8))
        func fail(_ why: String) -> OperationError {
            OperationError(
                .invalidTimestamp, "\"\(text)\" is not an ISO-8601 timestamp: \(why) (e.g. 2026-11-23T00:00:00Z, 2026-11-23T05:30:00+05:30 or 2026-11-23)")
        }
        guard let year = s.digits(4), s.take(UInt8(ascii: "-")), let month = s.digits(2),
            s.take(UInt8(ascii: "-")), let day = s.digits(2)
        else {
            throw fail("expected a date YYYY-MM-DD")
        }
        guard (1...12).contains(month) else { throw fail("month \(month) is not 1...12") }
        guard (1...daysIn(month: month, year: year)).contains(day) else {
            throw fail("day \(day) does not exist in \(String(format: "%04d-%02d", year, month))")
        }
        var (hour, minute, second, fraction) = (0, 0, 0, Int64(0))
        var offsetMinutes = 0
        if !s.atEnd {
            guard s.take(UInt8(ascii: "T")) || s.take(UInt8(ascii: "t")) || s.take(UInt8(ascii: " ")) else {
                throw fail("expected 'T' after the date")
            }
            guard let h = s.digits(2), s.take(UInt8(ascii: ":")), let m = s.digits(2) else {
                throw fail("expected a time HH:MM[:SS[.fff]]")
            }
            guard (0...23).contains(h) else { throw fail("hour \(h) is not 0...23") }
            guard (0...59).contains(m) else { throw fail("minute \(m) is not 0...59") }
            (hour, minute) = (h, m)
            if s.take(UInt8(ascii: ":")) {
                guard let sec = s.digits(2) else { throw fail("expected seconds SS") }
                guard (0...59).contains(sec) else { throw fail("second \(sec) is not 0...59") }
                second = sec
                if s.take(UInt8(ascii: ".")) || s.take(UInt8(ascii: ",")) {
                    var digits = 0
                    var value: Int64 = 0
                    while let d = s.digit() {
                        if digits < 3 { value = value * 10 + Int64(d) }
                        digits += 1
                    }
                    guard (1...9).contains(digits) else { throw fail("expected 1 to 9 digits of fractional seconds") }
                    if digits < 3 { for _ in digits..<3 { value *= 10 } }
                    fraction = value
                }
            }
            if s.take(UInt8(ascii: "Z")) || s.take(UInt8(ascii: "z")) {
                offsetMinutes = 0
            } else if let sign = s.sign() {
                guard let oh = s.digits(2) else { throw fail("expected an offset ±HH:MM") }
                var om = 0
                if s.take(UInt8(ascii: ":")) {
                    guard let m = s.digits(2) else { throw fail("expected an offset ±HH:MM") }
                    om = m
                } else if let m = s.digits(2) {
                    om = m
                }
                guard oh <= 23, om <= 59 else { throw fail("offset out of range") }
                offsetMinutes = sign * (oh * 60 + om)
            } else if s.atEnd {
                throw fail("a time needs a zone: add Z (UTC) or an offset such as +05:30")
            }
        }
        guard s.atEnd else { throw fail("unexpected text after the timestamp") }
        let zone =
            offsetMinutes == 0
            ? "Z"
            : String(format: "%@%02d:%02d", offsetMinutes < 0 ? "-" : "+", abs(offsetMinutes) / 60, abs(offsetMinutes) % 60)
        let canonical = String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03d", year, month, day, hour, minute, second, Int(fraction)) + zone
        guard let date = try? withMilliseconds.parse(canonical) else { throw fail("not a valid instant") }
        return Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    /// `2026-11-23T00:00:00Z` (or `…:00.250Z` when there are milliseconds), in UTC.
    package static func format(milliseconds ms: Int64) -> String {
        let date = Date(timeIntervalSince1970: Double(ms) / 1000)
        return ms % 1000 == 0 ? wholeSeconds.format(date) : withMilliseconds.format(date)
    }

    /// `2026-11-30T00:00Z`: minutes precision, for schedule lines.
    package static func formatMinutes(milliseconds ms: Int64) -> String {
        let full = format(milliseconds: ms - ms % 60_000)
        return String(full.prefix(16)) + "Z"
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0
        init(_ bytes: [UInt8]) { self.bytes = bytes }
        var atEnd: Bool { index == bytes.count }

        mutating func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        mutating func digit() -> Int? {
            guard index < bytes.count, (48...57).contains(bytes[index]) else { return nil }
            defer { index += 1 }
            return Int(bytes[index] - 48)
        }

        mutating func digits(_ n: Int) -> Int? {
            let start = index
            var value = 0
            for _ in 0..<n {
                guard let d = digit() else {
                    index = start
                    return nil
                }
                value = value * 10 + d
            }
            return value
        }

        mutating func sign() -> Int? {
            if take(UInt8(ascii: "+")) { return 1 }
            if take(UInt8(ascii: "-")) { return -1 }
            return nil
        }
    }
}

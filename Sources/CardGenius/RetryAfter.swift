import Foundation

/// Parsing of the `Retry-After` response header (RFC 9110 §10.2.3).
public enum RetryAfter {
    /// Parses `value` as delta-seconds (`"120"`, also accepting a fraction such as `"1.5"`) or
    /// an HTTP-date (`"Sun, 06 Nov 1994 08:49:37 GMT"`, also the obsolete RFC 850 and asctime
    /// forms). A date in the past yields zero. Returns nil for anything else.
    public static func parse(_ value: String, now: Date = Date()) -> Duration? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return nil }
        if trimmed.utf8.allSatisfy({ ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: ".") }) {
            guard let seconds = Double(trimmed), seconds.isFinite, seconds >= 0, seconds < 1e9 else { return nil }
            return .milliseconds(Int64((seconds * 1000).rounded()))
        }
        guard let date = self.parseHTTPDate(trimmed) else { return nil }
        let interval = date.timeIntervalSince(now)
        return interval <= 0 ? .zero : .milliseconds(Int64((interval * 1000).rounded(.up)))
    }

    /// Parses the three HTTP-date forms of RFC 9110 §5.6.7, in UTC.
    static func parseHTTPDate(_ value: String) -> Date? {
        let tokens = value.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "-" }).map(String.init)
        // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT -> [Sun, 06, Nov, 1994, 08:49:37, GMT]
        // RFC 850:     Sunday, 06-Nov-94 08:49:37 GMT -> [Sunday, 06, Nov, 94, 08:49:37, GMT]
        // asctime:     Sun Nov  6 08:49:37 1994 -> [Sun, Nov, 6, 08:49:37, 1994]
        let day: Int?
        let month: Int?
        var year: Int?
        let time: String
        if tokens.count == 6, tokens[5] == "GMT" {
            day = Int(tokens[1])
            month = self.month(tokens[2])
            year = Int(tokens[3])
            time = tokens[4]
            if let y = year, tokens[3].count == 2 { year = y < 70 ? 2000 + y : 1900 + y }
        } else if tokens.count == 5 {
            month = self.month(tokens[1])
            day = Int(tokens[2])
            time = tokens[3]
            year = Int(tokens[4])
        } else {
            return nil
        }
        let clock = time.split(separator: ":").compactMap { Int($0) }
        guard let day, let month, let year, clock.count == 3,
            (1...31).contains(day), (0...23).contains(clock[0]), (0...59).contains(clock[1]), (0...60).contains(clock[2])
        else { return nil }
        let days = self.daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + clock[0] * 3_600 + clock[1] * 60 + clock[2]
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    private static func month(_ name: String) -> Int? {
        let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        return months.firstIndex(of: name.lowercased()).map { $0 + 1 }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}

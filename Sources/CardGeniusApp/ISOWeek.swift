import Foundation

/// The default cohort of `produce` and `run`: the ISO-8601 week a record is published in.
package enum ISOWeek {
    /// `2026-W48`: the ISO-8601 week of `date`, in UTC.
    package static func of(_ date: Date = Date()) -> String {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.yearForWeekOfYear, .weekOfYear], from: date)
        return String(format: "%04d-W%02d", c.yearForWeekOfYear ?? 1970, c.weekOfYear ?? 1)
    }
}

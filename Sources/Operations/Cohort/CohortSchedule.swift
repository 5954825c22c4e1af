/// The weekly cohort schedule: a new cohort arrives every Monday at 00:00 UTC.
package enum CohortSchedule {
    /// The first Monday 00:00 UTC strictly after `nowMs` (milliseconds since the epoch).
    package static func nextMonday(after nowMs: Int64) -> Int64 {
        let day: Int64 = 86_400_000
        let days = nowMs >= 0 ? nowMs / day : (nowMs - day + 1) / day
        // 1970-01-01 was a Thursday: weekday index with Monday = 0 is (days + 3) mod 7.
        let weekday = ((days + 3) % 7 + 7) % 7
        var next = days + (7 - weekday)
        if next * day <= nowMs { next += 7 }
        return next * day
    }
}

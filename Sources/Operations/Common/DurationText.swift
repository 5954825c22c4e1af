/// Durations for people: `3 h 12 min`, `4 min 5 s`, `12 s`, `2 d 3 h`.
package enum DurationText {
    package static func format(seconds: Double) -> String {
        guard seconds.isFinite else { return "never (no throughput)" }
        let s = Int64(max(0, seconds).rounded())
        let d = s / 86_400
        let h = (s % 86_400) / 3600
        let m = (s % 3600) / 60
        let sec = s % 60
        if d > 0 { return h > 0 ? "\(d) d \(h) h" : "\(d) d" }
        if h > 0 { return m > 0 ? "\(h) h \(m) min" : "\(h) h" }
        if m > 0 { return sec > 0 ? "\(m) min \(sec) s" : "\(m) min" }
        return "\(sec) s"
    }
}

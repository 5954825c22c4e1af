import Foundation

/// A live progress line on a terminal (rewritten in place at most 5 times a second), or
/// a log line every 10 seconds off a terminal.
package final class ProgressLine: @unchecked Sendable {
    private let enabled: Bool
    private let label: String
    private let tty: Bool
    private var lastDraw = ContinuousClock.now - .seconds(60)
    private var drewOnce = false

    package init(enabled: Bool, label: String) {
        self.enabled = enabled
        self.label = label
        self.tty = isatty(STDERR_FILENO) != 0
    }

    /// Draws `text` if enough time has passed since the last line.
    package func draw(_ text: String, force: Bool = false) {
        guard enabled else { return }
        let now = ContinuousClock.now
        let every: Duration = tty ? .milliseconds(200) : .seconds(10)
        guard force || now - lastDraw >= every else { return }
        lastDraw = now
        drewOnce = true
        let line = tty ? "\r\u{1B}[2K\(label): \(text)" : "\(label): \(text)\n"
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// Progress of a file-driven job.
    package func update(done: Int, bytes: Int64, totalBytes: Int64?, elapsed: Duration) {
        let seconds = max(0.001, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        let rate = Double(done) / seconds
        var text = "\(done) records, \(Int(rate)) rec/s"
        if let totalBytes, totalBytes > 0 {
            let fraction = Double(bytes) / Double(totalBytes)
            text += String(format: ", %.1f%%", fraction * 100)
            if fraction > 0.01 { text += ", ETA " + Self.duration(seconds / fraction - seconds) }
        }
        draw(text)
    }

    /// Ends the line on a terminal.
    package func finish() {
        if enabled && tty && drewOnce { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    package static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        let s = Int(seconds.rounded())
        if s >= 3600 { return "\(s / 3600)h\(String(format: "%02d", (s % 3600) / 60))m" }
        if s >= 60 { return "\(s / 60)m\(String(format: "%02d", s % 60))s" }
        return "\(s)s"
    }
}

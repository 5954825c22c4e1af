/// Polls `condition` every `interval` until it holds or `timeout` passes; returns whether it held.
@discardableResult
public func waitUntil(timeout: Duration, interval: Duration = .milliseconds(100),
                      _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try await condition() { return true }
        if ContinuousClock.now >= deadline { return false }
        try? await Task.sleep(for: interval)
    }
}

/// A wait that ran out of time, naming what was waited for.
public struct TimedOut: Error, CustomStringConvertible {
    public var what: String
    public init(what: String) { self.what = what }
    public var description: String { "timed out waiting for \(what)" }
}

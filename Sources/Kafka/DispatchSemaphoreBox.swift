import Dispatch

/// A `DispatchSemaphore` used only by threads that may block (the poll threads).
final class DispatchSemaphoreBox: @unchecked Sendable {
    private let semaphore = DispatchSemaphore(value: 0)

    func signal() { semaphore.signal() }

    /// Returns true if signalled before `timeout`.
    func wait(timeout: Duration) -> Bool {
        semaphore.wait(timeout: .now() + .milliseconds(Int(timeout.milliseconds))) == .success
    }
}

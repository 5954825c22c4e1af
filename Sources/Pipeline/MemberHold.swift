import Synchronization

/// A member-wide pause: when CardGenius sends `Retry-After`, no call of this member
/// starts before it has passed (not just the one request that was told).
final class MemberHold: Sendable {
    private let until = Mutex<ContinuousClock.Instant?>(nil)

    /// Holds every new call for at least `duration` from now.
    func extend(by duration: Duration) {
        let target = ContinuousClock.now + min(duration, .seconds(300))
        until.withLock { current in
            if current.map({ $0 < target }) ?? true { current = target }
        }
    }

    /// Waits out the hold, if any.
    func wait() async throws {
        while let target = until.withLock({ $0 }), target > .now {
            try await Task.sleep(until: target)
        }
    }

    /// Whether a hold is in force.
    var isHolding: Bool { until.withLock { $0.map { $0 > .now } ?? false } }
}

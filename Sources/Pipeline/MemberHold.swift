import CardGenius
import FlowControl
import Synchronization

/// A member-wide pause: when CardGenius sends `Retry-After`, no call of this member
/// starts before it has passed (not just the one request that was told).
///
/// The wait applied is the one asked, capped at ``RetryAfter/longestHonoured`` (the same cap
/// as the told record's own back-off). A hold longer than ``longHold`` is worth an
/// operator's attention: the member logs it, reports not ready while it lasts
/// (``PipelineHealth/apiHold``) and shows it as `cardgenius_api_hold_seconds`.
/// The hold itself is a ``HoldStateMachine``; this class keeps it behind a lock and the clock.
final class MemberHold: Sendable {
    /// Holds longer than this are logged at warning level and make the member not ready.
    static let longHold: Duration = .seconds(60)

    /// What one `Retry-After` did to the hold.
    typealias Extension = HoldExtension

    private let machine = Mutex(
        HoldStateMachine<ContinuousClock.Instant>(
            cap: RetryAfter.longestHonoured,
            longHold: MemberHold.longHold))

    /// Holds every new call for `asked` from now, at most ``RetryAfter/longestHonoured``.
    @discardableResult
    func extend(by asked: Duration) -> Extension {
        let now = ContinuousClock.now
        return machine.withLock { $0.extend(by: asked, now: now) }
    }

    /// Waits out the hold, if any (to its end, which a later extension may move on).
    func wait() async throws {
        while let until = machine.withLock({ $0.resumesAt(now: .now) }) {
            try await Task.sleep(until: until)
        }
    }

    /// Whether a hold is in force.
    var isHolding: Bool { machine.withLock { $0.resumesAt(now: .now) != nil } }

    /// What is left of the hold (zero when none is in force).
    var remaining: Duration {
        let now = ContinuousClock.now
        return machine.withLock { $0.remaining(now: now) }
    }

    /// The long hold in force, if any.
    var longHoldInForce: PipelineHealth.APIHold? {
        let now = ContinuousClock.now
        return machine.withLock { $0.longHoldInForce(now: now) }
    }
}

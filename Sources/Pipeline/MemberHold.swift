import CardGenius
import Synchronization

/// A member-wide pause: when CardGenius sends `Retry-After`, no call of this member
/// starts before it has passed (not just the one request that was told).
///
/// The wait applied is the one asked, capped at ``RetryAfter/longestHonoured`` (the same cap
/// as the told record's own back-off). A hold longer than ``longHold`` is worth an
/// operator's attention: the member logs it, reports not ready while it lasts
/// (``PipelineHealth/apiHold``) and shows it as `cardgenius_api_hold_seconds`.
final class MemberHold: Sendable {
    /// Holds longer than this are logged at warning level and make the member not ready.
    static let longHold: Duration = .seconds(60)

    /// What one `Retry-After` did to the hold.
    struct Extension: Sendable, Equatable {
        /// The wait the server asked for.
        var asked: Duration
        /// The wait applied (capped at ``RetryAfter/longestHonoured``).
        var applied: Duration
        /// Whether this starts a long hold (none was in force): the moment to log it.
        var startsLongHold: Bool
    }

    private struct State {
        var until: ContinuousClock.Instant?
        /// The end of the latest long hold, with what was asked and applied for it.
        var longUntil: ContinuousClock.Instant?
        var longAsked: Duration = .zero
        var longApplied: Duration = .zero
    }

    private let state = Mutex(State())

    /// Holds every new call for `asked` from now, at most ``RetryAfter/longestHonoured``.
    @discardableResult
    func extend(by asked: Duration) -> Extension {
        let applied = RetryAfter.honoured(asked)
        let now = ContinuousClock.now
        let target = now + applied
        return state.withLock { s in
            if s.until.map({ $0 < target }) ?? true { s.until = target }
            var starts = false
            if applied > Self.longHold {
                starts = s.longUntil.map { $0 <= now } ?? true
                if s.longUntil.map({ $0 < target }) ?? true {
                    s.longUntil = target
                    s.longAsked = asked
                    s.longApplied = applied
                }
            }
            return Extension(asked: asked, applied: applied, startsLongHold: starts)
        }
    }

    /// Waits out the hold, if any.
    func wait() async throws {
        while let target = state.withLock({ $0.until }), target > .now {
            try await Task.sleep(until: target)
        }
    }

    /// Whether a hold is in force.
    var isHolding: Bool { state.withLock { $0.until.map { $0 > .now } ?? false } }

    /// What is left of the hold (zero when none is in force).
    var remaining: Duration {
        let now = ContinuousClock.now
        return state.withLock { s in s.until.map { max(.zero, $0 - now) } ?? .zero }
    }

    /// The long hold in force, if any.
    var longHoldInForce: PipelineHealth.APIHold? {
        let now = ContinuousClock.now
        return state.withLock { s in
            guard let end = s.longUntil, end > now else { return nil }
            return PipelineHealth.APIHold(remaining: end - now, asked: s.longAsked, applied: s.longApplied)
        }
    }
}

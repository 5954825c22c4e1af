/// A pause of every new call as a pure value: each extension asks for a wait from now, the
/// hold ends at the latest of them. Waits are capped; one longer than ``longHold`` starts
/// a long hold worth an operator's attention, remembered with what was asked and applied.
/// Every method takes the time as an argument; tests drive it with their own instants.
package struct HoldStateMachine<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    /// The longest wait applied: a longer one is applied as this.
    package let cap: Duration
    /// Waits longer than this make a long hold.
    package let longHold: Duration
    /// When the hold ends (nil before the first extension).
    package private(set) var until: Instant?
    /// The end of the latest long hold, with what was asked and applied for it.
    private var longUntil: Instant?
    private var longAsked: Duration = .zero
    private var longApplied: Duration = .zero

    package init(cap: Duration, longHold: Duration) {
        self.cap = cap
        self.longHold = longHold
    }

    /// Holds every new call for `asked` from `now`, at most ``cap``; a hold already
    /// ending later is kept.
    package mutating func extend(by asked: Duration, now: Instant) -> HoldExtension {
        let applied = max(.zero, min(asked, cap))
        let target = now.advanced(by: applied)
        if until.map({ $0 < target }) ?? true { until = target }
        var starts = false
        if applied > longHold {
            starts = longUntil.map { $0 <= now } ?? true
            if longUntil.map({ $0 < target }) ?? true {
                longUntil = target
                longAsked = asked
                longApplied = applied
            }
        }
        return HoldExtension(asked: asked, applied: applied, startsLongHold: starts)
    }

    /// The instant a caller must wait for, or nil when no hold is in force.
    package func resumesAt(now: Instant) -> Instant? {
        guard let until, until > now else { return nil }
        return until
    }

    /// What is left of the hold (zero when none is in force).
    package func remaining(now: Instant) -> Duration {
        until.map { max(.zero, now.duration(to: $0)) } ?? .zero
    }

    /// The long hold in force, if any.
    package func longHoldInForce(now: Instant) -> LongHold? {
        guard let end = longUntil, end > now else { return nil }
        return LongHold(remaining: now.duration(to: end), asked: longAsked, applied: longApplied)
    }
}

/// What one extension did to a ``HoldStateMachine``.
package struct HoldExtension: Sendable, Equatable {
    /// The wait asked for.
    package var asked: Duration
    /// The wait applied (between zero and the hold's ``HoldStateMachine/cap``).
    package var applied: Duration
    /// Whether this starts a long hold (none was in force): the moment to log it.
    package var startsLongHold: Bool
    package init(asked: Duration, applied: Duration, startsLongHold: Bool) {
        self.asked = asked
        self.applied = applied
        self.startsLongHold = startsLongHold
    }
}

/// A long hold in force (a ``HoldStateMachine`` held for longer than its ``HoldStateMachine/longHold``).
package struct LongHold: Sendable, Equatable {
    /// What is left of it.
    package var remaining: Duration
    /// The wait asked for.
    package var asked: Duration
    /// The wait applied.
    package var applied: Duration
    package init(remaining: Duration, asked: Duration, applied: Duration) {
        self.remaining = remaining
        self.asked = asked
        self.applied = applied
    }
}

import FlowControl
import Synchronization

/// A token bucket: at most `burst` calls at once and `rate` calls per second on average.
///
/// Callers take a token when one is there and otherwise sleep until the instant the
/// bucket (``TokenBucketStateMachine``) names, so waiting costs no thread and the bucket
/// never goes into debt. Rate and burst can change at any time (a rebalance changes this
/// member's share; an operator retunes the budget): a change wakes the waiters, who ask
/// again under the new limits.
package final class TokenBucket: Sendable {
    private let machine: Mutex<TokenBucketStateMachine<ContinuousClock.Instant>>
    /// Moves on at every change of the limits.
    private let updated = WakeSignal()

    /// A bucket that starts full.
    package init(rate: Double, burst: Double, enabled: Bool = true) {
        // A share below one call would never let one through: a burst is one call at least.
        machine = Mutex(TokenBucketStateMachine(rate: rate, burst: max(burst, 1), enabled: enabled, now: .now))
    }

    /// Changes the rate and burst; tokens above the new burst are dropped.
    package func update(rate: Double, burst: Double, enabled: Bool) {
        let now = ContinuousClock.now
        machine.withLock { $0.update(rate: rate, burst: max(burst, 1), enabled: enabled, now: now) }
        updated.notify()
    }

    /// The current rate (calls/s) and burst.
    package var limits: (rate: Double, burst: Double, enabled: Bool) {
        machine.withLock { ($0.rate, $0.burst, $0.enabled) }
    }

    /// Takes one token, waiting as long as needed: until the bucket's instant, or until
    /// the limits change (a rebalance, a retune), which applies to those already waiting.
    /// Throws `CancellationError` if the task is cancelled while it waits.
    package func acquire() async throws {
        while true {
            // Read before asking, so that a change made in between is not missed.
            let seen = updated.generation
            let now = ContinuousClock.now
            switch machine.withLock({ $0.take(now: now) }) {
            case .proceed:
                return
            case .wait(let until):
                await updated.wait(after: seen, until: until)
            case .waitForUpdate:
                await updated.wait(after: seen)
            }
            try Task.checkCancellation()
        }
    }
}

import Synchronization
import Testing

@testable import Pipeline

/// A task that is already cancelled when it starts to wait must not wait: its cancellation
/// handler ran before it was registered as a waiter, so nothing would ever wake it.
@Suite("Waiters registered after cancellation")
struct CancelledWaiterTests {
    @Test("WakeSignal.wait returns at once for a task cancelled before it waits")
    func wakeSignal() async throws {
        let wake = WakeSignal()
        let seen = wake.generation
        let returned = Atomic(false)
        let task = Task {
            while !Task.isCancelled { await Task.yield() }
            await wake.wait(after: seen)
            returned.store(true, ordering: .sequentiallyConsistent)
        }
        task.cancel()
        let ended = await waitUntil(timeout: .seconds(10)) { returned.load(ordering: .sequentiallyConsistent) }
        if !ended { wake.notify() }  // release the stuck waiter so the test ends
        _ = await task.value
        #expect(ended, "a cancelled waiter waited for a notify nobody sends")
    }

    @Test("AdaptiveConcurrencyLimiter.acquire throws at once for a task cancelled before it queues")
    func limiter() async throws {
        let limiter = AdaptiveConcurrencyLimiter(ceiling: 1)
        try await limiter.acquire()  // the only slot, held for the whole test
        let outcome = Mutex<String?>(nil)
        let task = Task {
            while !Task.isCancelled { await Task.yield() }
            do {
                try await limiter.acquire()
                outcome.withLock { $0 = "admitted" }
            } catch {
                outcome.withLock { $0 = "\(type(of: error))" }
            }
        }
        task.cancel()
        let ended = await waitUntil(timeout: .seconds(10)) { outcome.withLock { $0 != nil } }
        if !ended { limiter.release(.neutral) }  // release the stuck waiter so the test ends
        _ = await task.value
        #expect(ended, "a cancelled waiter stayed queued behind a slot that never frees")
        #expect(outcome.withLock { $0 } == "CancellationError")
        #expect(limiter.snapshot.inFlight == 1, "the cancelled waiter took no slot")
    }
}

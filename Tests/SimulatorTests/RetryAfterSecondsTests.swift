import Testing

@testable import Simulator

/// The simulator's 429 `Retry-After` for the wait its token bucket names.
@Suite("Simulator Retry-After")
struct RetryAfterSecondsTests {
    @Test("whole seconds rounded up, one at least")
    func rounding() {
        #expect(SimulatorState.retryAfterSeconds(.zero) == 1)
        #expect(SimulatorState.retryAfterSeconds(.milliseconds(1)) == 1)
        #expect(SimulatorState.retryAfterSeconds(.seconds(1)) == 1)
        #expect(SimulatorState.retryAfterSeconds(.milliseconds(1001)) == 2)
        #expect(SimulatorState.retryAfterSeconds(.seconds(9.5)) == 10)
    }
}

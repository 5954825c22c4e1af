/// Counts events in a sliding one-second window and remembers the largest count seen.
struct SlidingWindowCounter: Sendable {
    /// Arrival times (nanoseconds) inside the window, oldest first, stored as a ring.
    private var ring: [UInt64] = Array(repeating: 0, count: 1024)
    private var head = 0
    private var count = 0
    private let window: UInt64
    private(set) var peak = 0

    init(windowNanoseconds: UInt64 = 1_000_000_000) {
        self.window = windowNanoseconds
    }

    /// Records an event at `now` (monotonic nanoseconds).
    mutating func record(now: UInt64) {
        while self.count > 0, now &- self.ring[self.head] >= self.window {
            self.head = (self.head + 1) & (self.ring.count - 1)
            self.count -= 1
        }
        if self.count == self.ring.count {
            self.grow()
        }
        self.ring[(self.head + self.count) & (self.ring.count - 1)] = now
        self.count += 1
        self.peak = max(self.peak, self.count)
    }

    /// Forgets everything, including the peak.
    mutating func reset() {
        self.head = 0
        self.count = 0
        self.peak = 0
    }

    private mutating func grow() {
        var bigger = [UInt64](repeating: 0, count: self.ring.count * 2)
        for i in 0..<self.count {
            bigger[i] = self.ring[(self.head + i) & (self.ring.count - 1)]
        }
        self.ring = bigger
        self.head = 0
    }
}

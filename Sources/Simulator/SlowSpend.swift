import Synchronization

/// A targeted slow answer, for tests of what happens when one user's call outlives a
/// rebalance: the first ``times`` requests whose spend ``field`` equals ``amount`` answer
/// ``seconds`` later than the latency model says.
package struct SlowSpend: Sendable, Hashable {
    /// The spend field to match (for example `fuel`).
    package var field: String
    /// The amount that marks the request.
    package var amount: Double
    /// Extra seconds before the answer.
    package var seconds: Double
    /// How many matching requests are slowed; later ones answer normally.
    package var times: Int

    package init(field: String, amount: Double, seconds: Double, times: Int = 1) {
        self.field = field
        self.amount = amount
        self.seconds = seconds
        self.times = times
    }
}

/// Hands out the slow answers of a ``SlowSpend``, `times` in all.
final class SlowSpendTickets: Sendable {
    let rule: SlowSpend
    private let ordinal: Int?
    private let left: Mutex<Int>

    init(_ rule: SlowSpend) {
        self.rule = rule
        self.ordinal = SpendSchema.ordinalByName[rule.field]
        self.left = Mutex(rule.times)
    }

    /// The extra delay for a request with `spends`, taking a ticket when it matches.
    func delay(for spends: [Double]) -> Duration? {
        guard let ordinal, ordinal < spends.count, spends[ordinal] == rule.amount else { return nil }
        let granted = left.withLock { n -> Bool in
            guard n > 0 else { return false }
            n -= 1
            return true
        }
        return granted ? .milliseconds(Int64(rule.seconds * 1000)) : nil
    }
}

/// The tests' clock: an instant is a time since the test's zero, and only the test moves
/// it, so every wait the machines name is exact and nothing sleeps.
struct TestInstant: InstantProtocol, CustomStringConvertible {
    var sinceZero: Duration

    static let zero = TestInstant(sinceZero: .zero)

    /// `seconds` after zero (binary fractions such as 0.25 are exact).
    static func at(_ seconds: Double) -> TestInstant { TestInstant(sinceZero: .seconds(seconds)) }

    func advanced(by duration: Duration) -> TestInstant { TestInstant(sinceZero: sinceZero + duration) }
    func duration(to other: TestInstant) -> Duration { other.sinceZero - sinceZero }
    static func < (lhs: TestInstant, rhs: TestInstant) -> Bool { lhs.sinceZero < rhs.sinceZero }
    static func + (lhs: TestInstant, rhs: Duration) -> TestInstant { lhs.advanced(by: rhs) }

    var description: String { "t+\(sinceZero)" }
}

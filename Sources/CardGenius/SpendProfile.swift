/// A user's spend amounts, one per ``SpendField``.
///
/// A field that is absent counts as `0`: two profiles are equal when every
/// field has the same amount, whether a `0` is stored or not.
public struct SpendProfile: Sendable, Equatable {
    /// The amounts that were given. Values are finite and `>= 0` when the profile
    /// comes from ``UserSpendRecord/parse(json:)`` or a CSV row.
    public var amounts: [SpendField: Double]

    /// Creates a profile from the given amounts (absent fields are `0`).
    public init(_ amounts: [SpendField: Double] = [:]) {
        self.amounts = amounts
    }

    /// The amount for `field`, `0` if absent.
    public subscript(_ field: SpendField) -> Double {
        get { amounts[field] ?? 0 }
        set { amounts[field] = newValue }
    }

    /// The sum of every amount (mixes monthly, annual and count fields; for diagnostics).
    public var total: Double {
        amounts.values.reduce(0, +)
    }

    /// Whether every field is `0`.
    public var isZero: Bool {
        amounts.values.allSatisfy { $0 == 0 }
    }

    public static func == (lhs: SpendProfile, rhs: SpendProfile) -> Bool {
        SpendField.allCases.allSatisfy { lhs[$0] == rhs[$0] }
    }
}

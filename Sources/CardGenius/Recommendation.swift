/// A validated successful answer of the CardGenius API.
public struct Recommendation: Sendable, Hashable {
    /// The raw bytes of the top-level `savings` array exactly as the API sent them: a verbatim
    /// slice of the response body (from `[` to `]`), never re-encoded, so fields this service
    /// does not know survive untouched.
    public let savingsJSON: [UInt8]
    /// Number of cards (objects) in the `savings` array.
    public let cardCount: Int
    /// The API's `message` field (usually empty on success).
    public let message: String

    /// Creates a recommendation from already validated parts.
    public init(savingsJSON: [UInt8], cardCount: Int, message: String) {
        self.savingsJSON = savingsJSON
        self.cardCount = cardCount
        self.message = message
    }
}

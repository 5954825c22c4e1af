import NIOCore

/// A validated successful answer of the CardGenius API.
public struct Recommendation: Sendable, Hashable {
    /// The raw bytes of the top-level `savings` array exactly as the API sent them: a verbatim
    /// slice of the response body (from `[` to `]`), never re-encoded, so fields this service
    /// does not know survive untouched. It shares the body's storage: nothing is copied until
    /// the output record is written.
    public let savings: ByteBuffer
    /// Number of cards (objects) in the `savings` array.
    public let cardCount: Int
    /// The API's `message` field (usually empty on success).
    public let message: String

    /// ``savings`` as an array (a copy).
    public var savingsJSON: [UInt8] { Array(savings.readableBytesView) }

    /// Calls `body` with the `savings` bytes, without copying them.
    public func withSavingsBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try savings.withUnsafeReadableBytes(body)
    }

    /// Creates a recommendation from already validated parts.
    public init(savings: ByteBuffer, cardCount: Int, message: String) {
        self.savings = savings
        self.cardCount = cardCount
        self.message = message
    }

    /// Creates a recommendation from already validated parts.
    public init(savingsJSON: [UInt8], cardCount: Int, message: String) {
        self.init(savings: ByteBuffer(bytes: savingsJSON), cardCount: cardCount, message: message)
    }
}

import Synchronization

/// Items collected by a consumer's event task while the test polls how many arrived.
public final class Collected<Element: Sendable>: Sendable {
    private let storage = Mutex<[Element]>([])

    /// An empty collection.
    public init() {}

    /// Adds `items` at the end.
    public func append(_ items: [Element]) { storage.withLock { $0 += items } }

    /// How many arrived so far.
    public var count: Int { storage.withLock { $0.count } }

    /// Everything so far, in arrival order.
    public var records: [Element] { storage.withLock { $0 } }
}

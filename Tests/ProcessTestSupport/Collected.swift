import Synchronization

/// Items collected by a consumer's event task while the test polls how many arrived.
package final class Collected<Element: Sendable>: Sendable {
    private let storage = Mutex<[Element]>([])

    /// An empty collection.
    package init() {}

    /// Adds `items` at the end.
    package func append(_ items: [Element]) { storage.withLock { $0 += items } }

    /// How many arrived so far.
    package var count: Int { storage.withLock { $0.count } }

    /// Everything so far, in arrival order.
    package var records: [Element] { storage.withLock { $0 } }
}

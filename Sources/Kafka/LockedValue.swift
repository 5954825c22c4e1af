import Synchronization

/// A reference-counted value behind a `Mutex`, shareable between the poll thread,
/// dispatch queues and tasks (like NIO's `NIOLockedValueBox`).
package final class LockedValue<Value: ~Copyable>: Sendable {
    private let mutex: Mutex<Value>

    package init(_ value: consuming sending Value) { mutex = Mutex(value) }

    package func withLock<R: ~Copyable, E: Error>(_ body: (inout sending Value) throws(E) -> sending R) throws(E) -> sending R {
        try mutex.withLock(body)
    }
}

import Dispatch
import Foundation
import Synchronization

/// Turns SIGINT and SIGTERM into a flag a long-running command polls, so it can finish
/// cleanly (write, commit) instead of dying mid-way.
final class StopSignal: @unchecked Sendable {
    private final class Flag: Sendable {
        let raised = Atomic<Bool>(false)
    }

    private let flag = Flag()
    /// Immutable after `init`; only cancelled in `deinit`.
    private let sources: [any DispatchSourceSignal]

    /// Starts catching SIGINT and SIGTERM.
    init() {
        var list: [any DispatchSourceSignal] = []
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [flag] in flag.raised.store(true, ordering: .relaxed) }
            source.resume()
            list.append(source)
        }
        sources = list
    }

    /// Whether SIGINT or SIGTERM arrived.
    var isRaised: Bool { flag.raised.load(ordering: .relaxed) }

    deinit {
        sources.forEach { $0.cancel() }
    }
}

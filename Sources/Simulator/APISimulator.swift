import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// A stand-in for the CardGenius API: a real HTTP server (Hummingbird) that computes
/// recommendations from a built-in card catalogue and models the production API's latency,
/// load-balancer rate limit, concurrency ceiling, outages and network faults.
///
/// Run it as a `Service` (in a `ServiceGroup`, or call ``run()`` in a task); it serves until
/// graceful shutdown or cancellation. With ``SimulatorConfiguration/port`` 0 it binds a free
/// port; ``waitUntilListening()`` returns it:
///
/// ```swift
/// let simulator = APISimulator(configuration: .init(port: 0, latencyMilliseconds: 0), logger: logger)
/// async let running: Void = simulator.run()
/// let port = try await simulator.waitUntilListening()
/// // POST http://127.0.0.1:\(port)/cg/api/pro
/// ```
///
/// Routes: `POST /cg/api/pro`, `GET /stats`, `POST /stats/reset`, `GET /healthz`.
package struct APISimulator: Service, Sendable {
    /// The settings the simulator runs with.
    package let configuration: SimulatorConfiguration
    private let logger: Logger
    private let onListening: (@Sendable (_ host: String, _ port: Int) async -> Void)?
    private let listening: ListeningState
    private let engine: RecommendationEngine
    private let state: SimulatorState

    /// Creates a simulator; the catalogue is generated and rendered here, so this takes a few
    /// milliseconds.
    ///
    /// - Parameters:
    ///   - configuration: the settings; call ``SimulatorConfiguration/validate()`` first for
    ///     a readable error (invalid values are clamped here).
    ///   - logger: the logger of the server.
    ///   - onListening: called once the socket is bound, with the host and actual port.
    package init(
        configuration: SimulatorConfiguration,
        logger: Logger,
        onListening: (@Sendable (_ host: String, _ port: Int) async -> Void)? = nil
    ) {
        self.configuration = configuration
        self.logger = logger
        self.onListening = onListening
        self.listening = ListeningState()
        let catalogue = CardCatalogue(size: max(1, configuration.catalogueSize))
        self.engine = RecommendationEngine(catalogue: catalogue, top: configuration.top)
        self.state = SimulatorState(configuration: configuration, startedAtUnix: Date().timeIntervalSince1970)
    }

    /// The counters served by `GET /stats`, read in-process.
    package func statistics() -> SimulatorStatistics {
        self.state.statistics()
    }

    /// Zeroes the counters, like `POST /stats/reset`.
    package func resetStatistics() {
        self.state.reset(unixTime: Date().timeIntervalSince1970)
    }

    /// Serves until graceful shutdown (or cancellation). Can be called once.
    package func run() async throws {
        self.state.markStarted(unixTime: Date().timeIntervalSince1970)
        let responder = SimulatorResponder(
            configuration: self.configuration,
            state: self.state,
            engine: self.engine,
            logger: self.logger,
            slow: self.configuration.slowSpend.map(SlowSpendTickets.init)
        )
        let listening = self.listening
        let onListening = self.onListening
        let host = self.configuration.host
        let application = Application(
            responder: responder,
            // A client that closes its side is gone: end its connection (and a hang on it).
            server: .http1(configuration: .init(additionalChannelHandlers: [ClientCloseHandler()])),
            configuration: ApplicationConfiguration(
                address: .hostname(host, port: self.configuration.port),
                serverName: "cardgenius-simulator",
                backlog: 1_024
            ),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                listening.resolve(.success(port))
                await onListening?(host, port)
            },
            logger: self.logger
        )
        let state = self.state
        do {
            try await withGracefulShutdownHandler {
                try await application.run()
            } onGracefulShutdown: {
                state.beginShutdown()
            }
            listening.resolve(.failure(APISimulatorError(message: "the simulator stopped before listening")))
        } catch {
            listening.resolve(.failure(APISimulatorError(message: "the simulator failed: \(error)")))
            throw error
        }
    }

    /// Waits until the server is bound and returns its port (the actual one when configured
    /// with port 0). Throws if ``run()`` fails or stops before binding.
    package func waitUntilListening() async throws -> Int {
        try await self.listening.wait()
    }
}

/// An error of the simulator's lifecycle (for example a bind failure).
package struct APISimulatorError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    package var message: String
    package var description: String { self.message }
}

/// The bound port, once known, and the tasks waiting for it.
final class ListeningState: Sendable {
    private struct Inner {
        var result: Result<Int, APISimulatorError>?
        var waiters: [CheckedContinuation<Int, any Error>] = []
    }

    private let inner = Mutex(Inner())

    func resolve(_ result: Result<Int, APISimulatorError>) {
        let waiters: [CheckedContinuation<Int, any Error>]? = self.inner.withLock { state in
            guard state.result == nil else { return nil }
            state.result = result
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters ?? [] {
            waiter.resume(with: result.mapError { $0 as any Error })
        }
    }

    func wait() async throws -> Int {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int, any Error>) in
            let ready: Result<Int, APISimulatorError>? = self.inner.withLock { state in
                if let result = state.result { return result }
                state.waiters.append(continuation)
                return nil
            }
            if let ready {
                continuation.resume(with: ready.mapError { $0 as any Error })
            }
        }
    }
}

extension APISimulator: CustomStringConvertible {
    package var description: String {
        "APISimulator(\(self.configuration.host):\(self.configuration.port))"
    }
}

import Logging
import ServiceLifecycle

/// The body of a one-shot command (`export`, `redrive`, `report`) as a `Service`, run in a `ServiceGroup`
/// like `consume`'s members, so SIGINT and SIGTERM mean the same in every long-running
/// command: a graceful shutdown, which the body observes through
/// `Task.isShuttingDownGracefully` (it finishes cleanly: writes, commits or discards).
struct CommandJob: Service {
    /// The command's work; ends the group when it returns or throws.
    let body: @Sendable () async throws -> Void

    /// Runs ``body``.
    func run() async throws {
        try await body()
    }

    /// Runs `body` in a `ServiceGroup` that turns SIGTERM and SIGINT into a graceful shutdown;
    /// rethrows what `body` throws.
    static func run(logger: Logger, _ body: @escaping @Sendable () async throws -> Void) async throws {
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: CommandJob(body: body), successTerminationBehavior: .gracefullyShutdownGroup)],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

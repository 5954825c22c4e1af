import Configuration
import Logging
import Metrics
import ServiceLifecycle
import UnixSignals

/// The configuration as it changes while the service runs, as a `Service`.
///
/// The file is read through swift-configuration's `ReloadingFileProvider`, which this
/// service runs, and its changes come from the provider's `watchSnapshot`: a Kubernetes
/// `ConfigMap`'s symlink swap, an editor's rename and a rewrite in place are all seen within
/// ``pollInterval``. SIGHUP, the operator's explicit reload, reads the file at once. Either
/// way the settings are checked as at start-up (same layers, precedence and errors; the
/// environment and flags do not change) and delivered on ``updates``, valid or not, with
/// what triggered them; a change that leaves the file's settings as they were is not.
package struct SettingsWatcher: Service {
    /// What made the service read the configuration again.
    package enum Trigger: Sendable, Equatable, CustomStringConvertible {
        /// The file's content or target changed.
        case fileChanged
        /// The process received SIGHUP.
        case signal

        /// `configuration file changed` or `SIGHUP`, as the reload's log lines start.
        package var description: String { self == .signal ? "SIGHUP" : "configuration file changed" }
    }

    /// One reload: the settings, or why the configuration was refused.
    package struct Update: Sendable {
        package var trigger: Trigger
        package var settings: Result<ServiceSettings, SettingsError>
    }

    /// The settings at start-up.
    package let initial: ServiceSettings
    /// Every reload, in order; finishes when ``run()`` returns. One consumer.
    package let updates: AsyncStream<Update>
    /// How often the file is checked for changes.
    package static let pollInterval = Duration.seconds(1)

    private let continuation: AsyncStream<Update>.Continuation
    private let file: String?
    private let provider: ReloadingFileProvider<SettingsFileSnapshot>?
    private let loader: SettingsLoader

    /// Loads the settings (see ``ServiceSettings/load(file:environment:overrides:)``) and
    /// prepares to watch `file`.
    package init(
        file: String?, environment: [String: String], overrides: [String: ConfigContent], logger: Logger
    ) async throws(SettingsError) {
        // The start-up read is the loader's own, for its one-line errors (a missing file, a
        // directory); the provider then reads the file again to watch it.
        let layer = try file.map { path throws(SettingsError) in try ServiceSettings.fileLayer(path) }
        loader = try SettingsLoader(environment: environment, overrides: overrides)
        initial = try loader.settings(file: layer)
        self.file = file
        if let file {
            let location = InMemoryProvider(values: [
                "filePath": ConfigValue(.string(file), isSecret: false),
                "pollIntervalSeconds": ConfigValue(.int(Int(Self.pollInterval.components.seconds)), isSecret: false),
            ])
            do {
                // No metrics of its own: /metrics shows only the service's.
                provider = try await ReloadingFileProvider(
                    parsingOptions: .init(source: file, keepsErrors: true), config: ConfigReader(provider: location),
                    logger: logger, metrics: NOOPMetricsHandler.instance)
            } catch {
                throw SettingsError(code: .unreadableFile, source: file, message: "cannot read the configuration file (\(error))")
            }
        } else {
            provider = nil
        }
        (updates, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(16))
    }

    /// Reads the configuration file again now, as SIGHUP does.
    package func reload() -> Result<ServiceSettings, SettingsError> {
        Result { () throws(SettingsError) in
            try loader.settings(file: try file.map { path throws(SettingsError) in try ServiceSettings.fileLayer(path) })
        }
    }

    /// Polls the file, follows its snapshots and SIGHUP until graceful shutdown.
    package func run() async throws {
        defer { continuation.finish() }
        try await withThrowingDiscardingTaskGroup { group in
            if let provider {
                group.addTask { try await provider.run() }
                group.addTask { try await cancelWhenGracefulShutdown { try await watch(provider) } }
            }
            group.addTask {
                for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
                    continuation.yield(Update(trigger: .signal, settings: reload()))
                }
            }
        }
    }

    private func watch(_ provider: ReloadingFileProvider<SettingsFileSnapshot>) async throws {
        try await provider.watchSnapshot { snapshots in
            // The first snapshot is the file as it was at start-up, unless it changed since.
            var last = Result<ServiceSettings, SettingsError>.success(initial)
            for await snapshot in snapshots {
                guard let snapshot = snapshot as? SettingsFileSnapshot else { continue }
                let settings = Result { () throws(SettingsError) in try loader.settings(file: try snapshot.layer.get()) }
                guard settings != last else { continue }
                last = settings
                continuation.yield(Update(trigger: .fileChanged, settings: settings))
            }
        }
    }
}

import Logging
import Pipeline
import ServiceLifecycle
import Settings
import UnixSignals

/// Live tuning, as a `Service`: on SIGHUP it loads the configuration again (same
/// precedence: flags > environment > file > defaults) and applies the group-wide budgets
/// (`processing.max_workers`, `api.rate_limit.*`) to the member at once, logging each
/// change. An invalid configuration is logged and ignored; the member keeps its budgets.
/// ``ConfigFileWatcher`` calls ``reload(trigger:)`` when the configuration file changes, so
/// both paths share the validation and the log lines (which name what triggered them).
struct ConfigReloader: Service {
    let pipeline: RecommendationPipeline
    let load: @Sendable () throws -> ServiceSettings
    let logger: Logger

    func run() async {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            reload(trigger: "SIGHUP")
        }
    }

    /// Loads the configuration and applies the budgets that changed; `trigger` (`SIGHUP`,
    /// `configuration file changed`) starts each log line.
    func reload(trigger: String) {
        let settings: ServiceSettings
        do {
            settings = try load()
        } catch {
            logger.error("\(trigger): configuration not reloaded, keeping the current budgets: \(error)")
            return
        }
        let old = pipeline.currentBudgets
        let new = (maxWorkers: settings.processing.maxWorkers, rate: settings.api.rateLimit.requestsPerSecond,
                   burst: Double(settings.api.rateLimit.burst), rateEnabled: settings.api.rateLimit.enabled)
        var changes: Logger.Metadata = [:]
        if old.maxWorkers != new.maxWorkers { changes["processing.max_workers"] = "\(old.maxWorkers) → \(new.maxWorkers)" }
        if old.rate != new.rate { changes["api.rate_limit.requests_per_second"] = "\(old.rate) → \(new.rate)" }
        if old.burst != new.burst { changes["api.rate_limit.burst"] = "\(Int(old.burst)) → \(Int(new.burst))" }
        if old.rateEnabled != new.rateEnabled { changes["api.rate_limit.enabled"] = "\(old.rateEnabled) → \(new.rateEnabled)" }
        guard !changes.isEmpty else {
            logger.info("\(trigger): configuration reloaded, budgets unchanged")
            return
        }
        pipeline.retune(maxWorkers: new.maxWorkers, requestsPerSecond: new.rate, burst: new.burst, rateEnabled: new.rateEnabled)
        logger.notice("\(trigger): budgets retuned", metadata: changes)
    }
}

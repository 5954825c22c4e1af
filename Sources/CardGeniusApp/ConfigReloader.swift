import Logging
import Pipeline
import ServiceLifecycle
import Settings

/// Live tuning, as a `Service`: applies the group-wide budgets (`processing.max_workers`,
/// `api.rate_limit.*`) of each configuration reload the ``SettingsWatcher`` delivers (the
/// file changed, or SIGHUP) to the member at once, logging each change. An invalid
/// configuration is logged and ignored; the member keeps its budgets. Each log line starts
/// with what triggered the reload (`SIGHUP`, `configuration file changed`).
struct ConfigReloader: Service {
    let pipeline: RecommendationPipeline
    let settings: SettingsWatcher
    let logger: Logger

    func run() async {
        for await update in settings.updates.cancelOnGracefulShutdown() {
            apply(update)
        }
    }

    /// Applies the budgets of `update` that changed.
    func apply(_ update: SettingsWatcher.Update) {
        let trigger = update.trigger
        let settings: ServiceSettings
        switch update.settings {
        case .success(let loaded): settings = loaded
        case .failure(let error):
            logger.error("\(trigger): configuration not reloaded, keeping the current budgets: \(error)")
            return
        }
        let old = pipeline.currentBudgets
        let new = (
            maxWorkers: settings.processing.maxWorkers, rate: settings.api.rateLimit.requestsPerSecond,
            burst: Double(settings.api.rateLimit.burst), rateEnabled: settings.api.rateLimit.enabled
        )
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

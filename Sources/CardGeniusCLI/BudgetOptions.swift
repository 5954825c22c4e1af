import ArgumentParser
import Configuration

/// The API and budget flags shared by `consume` and `run`: each overrides a setting.
struct BudgetOptions: ParsableArguments {
    @Option(name: .long, help: "CardGenius API URL (api.url).")
    var apiURL: String?

    @Option(name: .long, help: "Group-wide API calls in flight (processing.max_workers).")
    var maxWorkers: Int?

    @Option(name: .long, help: "Group-wide API calls per second (api.rate_limit.requests_per_second).")
    var rate: Double?

    @Option(name: .long, help: "Group-wide burst (api.rate_limit.burst).")
    var burst: Int?

    /// The settings these flags override, by dotted key, typed (checked by the settings loader).
    var overrides: [String: ConfigContent] {
        var o: [String: ConfigContent] = [:]
        if let apiURL { o["api.url"] = .string(apiURL) }
        if let maxWorkers { o["processing.max_workers"] = .int(maxWorkers) }
        if let rate { o["api.rate_limit.requests_per_second"] = .double(rate) }
        if let burst { o["api.rate_limit.burst"] = .int(burst) }
        return o
    }
}

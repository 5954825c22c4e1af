import ArgumentParser
import Foundation
import Operations
import Planning

/// `cardgenius plan`: what a run will do — throughput, duration, each member's share,
/// bandwidth, the load on CardGenius and the load spec's warnings — before it is started.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Capacity plan for a run: calls/s, duration, member shares, bandwidth, load on CardGenius, warnings.",
        discussion: """
            Effective calls/s = min(rate budget, workers ÷ latency), computed per member as the pipeline \
            splits the budgets (each member takes its fraction of the partitions). Units are decimal (1 \
            KB = 1000 B). --from-metrics replaces the assumed latency and error rate with those observed \
            by a running member. --notice prints the DevOps load spec's notification to the CardGenius \
            team, filled in. See docs/capacity.md.
            """
    )

    @Option(name: .long, parsing: .unconditional, help: "Users (records) in the run.")
    var users: Int

    @Option(name: .long, parsing: .unconditional, help: "Group-wide concurrency budget: API calls in flight.")
    var workers: Int = 20

    @Option(name: .customLong("latency-s"), parsing: .unconditional, help: ArgumentHelp("Assumed mean API latency.", valueName: "SECONDS"))
    var latencySeconds: Double = 1.5

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Group-wide rate budget.", valueName: "CALLS_PER_SECOND"))
    var rate: Double = 10

    @Flag(name: .long, inversion: .prefixedNo, help: "Enable the client-side rate budget (spec §10.2).")
    var rateLimit = true

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Burst of the rate budget.", valueName: "CALLS"))
    var burst: Double = 20

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Request body size.", valueName: "BYTES"))
    var requestBytes: Double = 500

    @Option(name: .customLong("response-kb"), parsing: .unconditional, help: ArgumentHelp("Response body size (1 KB = 1000 bytes).", valueName: "KB"))
    var responseKB: Double = 35

    @Option(name: .long, parsing: .unconditional, help: "Consumer-group members sharing the budgets.")
    var members: Int = 1

    @Option(name: .long, parsing: .unconditional, help: "Partitions of the input topic.")
    var partitions: Int = 8

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Hours until the next cohort arrives.", valueName: "HOURS"))
    var cohortIntervalHours: Double = 168

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("The API's rate limit per client (spec §6.2).", valueName: "REQUESTS_PER_SECOND"))
    var apiRateLimit: Double = 50

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("The API's burst per client (spec §6.2).", valueName: "REQUESTS"))
    var apiBurst: Double = 30

    @Option(
        name: .long,
        help: ArgumentHelp(
            "A running member's Prometheus endpoint, e.g. http://127.0.0.1:9464/metrics: use its observed latency and error rate.", valueName: "URL"))
    var fromMetrics: String?

    @Flag(name: .long, help: "Print the plan as JSON.")
    var json = false

    @Flag(name: .long, help: "Print the notification to the CardGenius team (spec §11.1) instead of the table.")
    var notice = false

    /// The inputs the flags describe.
    var inputs: PlanInputs {
        PlanInputs(
            users: users, workers: workers, latencySeconds: latencySeconds,
            rateLimitEnabled: rateLimit, ratePerSecond: rate, burst: burst,
            requestBytes: requestBytes, responseKB: responseKB,
            members: members, partitions: partitions, cohortIntervalHours: cohortIntervalHours,
            apiRateLimit: apiRateLimit, apiBurst: apiBurst)
    }

    func validate() throws {
        do {
            try inputs.validate()
        } catch {
            throw ValidationError(error.description)
        }
        if let fromMetrics {
            guard let url = URL(string: fromMetrics), let scheme = url.scheme?.lowercased(),
                scheme == "http" || scheme == "https", url.host != nil
            else {
                throw ValidationError("--from-metrics: expected an http(s) URL such as http://127.0.0.1:9464/metrics (got \"\(fromMetrics)\")")
            }
        }
    }

    func run() async throws {
        var observed: ObservedMetrics?
        if let fromMetrics, let url = URL(string: fromMetrics) {
            observed = try await ObservedMetrics.fetch(from: url)
        }
        let plan = try CapacityPlan(inputs: inputs, observed: observed)
        if json {
            print(plan.renderJSON(includeNotice: notice))
        } else if notice {
            print(plan.renderNotice())
        } else {
            print(plan.renderTable())
        }
    }
}

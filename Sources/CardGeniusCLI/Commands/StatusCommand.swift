import ArgumentParser
import CardGeniusApp
import Foundation
import Operations

/// `cardgenius status`: where a consumer group is on its topic, how long the backlog takes
/// to drain, and whether that is before the next weekly cohort.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "A consumer group's lag per partition, the time to drain it, and whether it drains before the next cohort.",
        discussion: """
            Per partition: committed offset, end offset (high watermark), lag (end − committed, or end − \
            low when nothing was committed) and the completed-above-commit offsets recorded in the \
            pipeline's commit metadata. Time to drain = total lag ÷ min(rate, workers ÷ latency): rate \
            and workers from the settings (api.rate_limit.requests_per_second — unlimited when the rate \
            limit is off — and processing.max_workers) unless given; latency from --latency-s, else a \
            member's /metrics (--metrics-url), else 1.5 s. The next cohort is next Monday 00:00 UTC \
            unless --next-cohort says otherwise. Members come from DescribeConsumerGroups where the \
            broker answers it; status never joins the group.
            """
    )

    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: "The consumer group (default: kafka.group_id).")
    var group: String?

    @Option(name: .long, help: "The topic (default: kafka.input_topic).")
    var topic: String?

    @Flag(name: .long, help: "Print one JSON object.")
    var json = false

    @Option(
        name: .long,
        help: ArgumentHelp("Group-wide calls/s (default: api.rate_limit.requests_per_second; 'unlimited' for none).", valueName: "CALLS_PER_SECOND"))
    var rate: String?

    @Option(name: .long, help: ArgumentHelp("Group-wide calls in flight (default: processing.max_workers).", valueName: "N"))
    var workers: String?

    @Option(name: .customLong("latency-s"), help: ArgumentHelp("Mean API latency (default: from --metrics-url, else 1.5).", valueName: "SECONDS"))
    var latencySeconds: String?

    @Option(name: .long, help: ArgumentHelp("A member's Prometheus endpoint, e.g. http://127.0.0.1:9464/metrics, for the observed latency.", valueName: "URL"))
    var metricsURL: String?

    @Option(name: .long, help: ArgumentHelp("When the next cohort arrives (ISO-8601; default: next Monday 00:00 UTC).", valueName: "TIME"))
    var nextCohort: String?

    @Flag(name: .long, help: "Refresh every --interval seconds until Ctrl-C.")
    var watch = false

    @Option(name: .long, help: ArgumentHelp("Seconds between refreshes with --watch.", valueName: "SECONDS"))
    var interval: Double = 5

    /// Flag values, checked; nil where the flag was not given.
    func parsedOverrides() throws -> StatusQuery.Overrides {
        var o = StatusQuery.Overrides()
        if let rate {
            if ["unlimited", "inf", "infinity", "none"].contains(rate.lowercased()) {
                o.rate = .infinity
            } else {
                guard let r = Double(rate), r.isFinite, r > 0 else {
                    throw StartupError("status: --rate \"\(rate)\": expected calls per second > 0, or unlimited")
                }
                o.rate = r
            }
        }
        if let workers {
            guard let w = Int(workers), w >= 1 else { throw StartupError("status: --workers \"\(workers)\": expected a whole number >= 1") }
            o.workers = w
        }
        if let latencySeconds {
            guard let l = Double(latencySeconds), l.isFinite, l > 0 else {
                throw StartupError("status: --latency-s \"\(latencySeconds)\": expected seconds > 0, e.g. 1.5")
            }
            o.latency = l
        }
        if let metricsURL {
            guard let url = URL(string: metricsURL), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host != nil else {
                throw StartupError("status: --metrics-url \"\(metricsURL)\": expected an http(s) URL such as http://127.0.0.1:9464/metrics")
            }
            o.metricsURL = url
        }
        if let nextCohort {
            do { o.nextCohortMs = try ISO8601Timestamp.parse(nextCohort) } catch {
                throw StartupError("status: --next-cohort: \(error.message)")
            }
        }
        guard interval > 0, interval.isFinite else { throw StartupError("status: --interval must be > 0 seconds, got \(interval)") }
        return o
    }

    func run() async throws {
        let settings = try common.settings()
        let overrides = try parsedOverrides()
        let logger = common.logging.makeLogger("cardgenius.status")
        let topic = topic ?? settings.kafka.inputTopic
        let group = group ?? settings.kafka.groupID
        let tty = isatty(STDOUT_FILENO) != 0
        while true {
            let report = try await StatusQuery(
                settings: settings, overrides: overrides, topic: topic, group: group,
                logger: logger
            ).report()
            if json {
                print(report.renderJSON())
            } else {
                if watch && tty { print("\u{1B}[H\u{1B}[2J", terminator: "") }
                print(report.renderText(), terminator: "")
                if watch { print("") }
            }
            fflush(nil)
            guard watch else { return }
            try await Task.sleep(for: .milliseconds(Int64(interval * 1000)))
        }
    }
}

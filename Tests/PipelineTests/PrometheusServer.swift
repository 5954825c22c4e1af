import Foundation
import ProcessTestSupport

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Debian's Prometheus server as a child process on loopback, scraping `targets` every
/// second into a temporary TSDB, and its HTTP query API.
final class PrometheusServer: Sendable {
    /// The server binary (`make check-alerts` installs Debian's `prometheus` package), if installed.
    static let binary = ["/usr/bin/prometheus", "/usr/local/bin/prometheus"].first(where: FileManager.default.isExecutableFile)

    /// An instant query's answer.
    struct Answer {
        /// Prometheus parsed and evaluated the expression.
        var ok: Bool
        /// Series in the result (instant vector or matrix; 1 for a scalar).
        var series: Int
        /// The first series' value, when it has one.
        var firstValue: Double?
        /// What went wrong, or what came back.
        var detail: String
    }

    let process: ChildProcess
    let directory: String
    let base: String

    init(binary: String, targets: [String]) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cg-prom-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/data", withIntermediateDirectories: true)
        let list = targets.map { "\"\($0)\"" }.joined(separator: ", ")
        try """
        global:
          scrape_interval: 1s
          evaluation_interval: 1s
        scrape_configs:
          - job_name: cardgenius
            static_configs:
              - targets: [\(list)]
        """.write(toFile: directory + "/prometheus.yml", atomically: true, encoding: .utf8)
        let port = Scrape.freePort()
        base = "http://127.0.0.1:\(port)"
        process = try ChildProcess(
            [
                "--config.file=\(directory)/prometheus.yml", "--storage.tsdb.path=\(directory)/data",
                "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn",
            ], executable: binary)
    }

    /// The server's log.
    var log: String { process.stdout + process.stderr }

    /// `GET /api/v1/query?query=expression` at the current time.
    func query(_ expression: String) async -> Answer {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let encoded = expression.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
        guard let answer = await Scrape.get(base + "/api/v1/query?query=" + encoded) else {
            return Answer(ok: false, series: 0, detail: "no answer from Prometheus")
        }
        guard let json = try? JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any] else {
            return Answer(ok: false, series: 0, detail: "HTTP \(answer.status): \(answer.body.prefix(300))")
        }
        guard json["status"] as? String == "success", let data = json["data"] as? [String: Any] else {
            return Answer(ok: false, series: 0, detail: "\(json["errorType"] ?? "error"): \(json["error"] ?? answer.body.prefix(300))")
        }
        let kind = data["resultType"] as? String ?? "?"
        if kind == "scalar" || kind == "string" {
            let value = (data["result"] as? [Any])?.last as? String
            return Answer(ok: true, series: 1, firstValue: value.flatMap(Double.init), detail: kind)
        }
        let result = data["result"] as? [[String: Any]] ?? []
        let first = (result.first?["value"] as? [Any])?.last as? String
        return Answer(
            ok: true, series: result.count, firstValue: first.flatMap(Double.init),
            detail: "\(kind) with \(result.count) series")
    }

    /// Stops the server (SIGTERM, then SIGKILL after 20 s) and removes its data.
    func stop() async {
        process.signal(SIGTERM)
        if await process.waitForExit(timeout: .seconds(20)) == nil { process.kill() }
        try? FileManager.default.removeItem(atPath: directory)
    }
}

import Foundation
import Hummingbird
import Logging
import NIOCore
import Pipeline
import Prometheus
import ServiceLifecycle

/// The operators' HTTP endpoint, as a `Service`: `GET /metrics` (Prometheus text),
/// `GET /healthz` (200 while the process is up) and `GET /readyz` (200 when every member
/// of the process is ready, else 503 with the reasons as JSON).
///
/// A failure to listen (the port is taken) is logged and the members carry on without the
/// endpoint: metrics never stop the work.
struct MetricsServer: Service {
    let host: String
    let port: Int
    let registry: PrometheusCollectorRegistry
    let pipelines: [RecommendationPipeline]
    let logger: Logger

    init(
        host: String = "0.0.0.0", port: Int, registry: PrometheusCollectorRegistry,
        pipelines: [RecommendationPipeline], logger: Logger
    ) {
        self.host = host
        self.port = port
        self.registry = registry
        self.pipelines = pipelines
        self.logger = logger
    }

    func run() async throws {
        let router = Router()
        let registry = self.registry
        let pipelines = self.pipelines
        let process = ProcessMetrics(registry: registry)
        router.get("/metrics") { _, _ -> Response in
            // /proc reads are in-memory and take microseconds.
            process.update()
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        router.get("/healthz") { _, _ -> Response in
            Self.json(.ok, #"{"status":"up"}"#)
        }
        router.get("/readyz") { _, _ -> Response in
            let (ready, body) = Self.readiness(pipelines.map(\.health))
            return Self.json(ready ? .ok : .serviceUnavailable, body)
        }
        let logger = self.logger
        let host = self.host
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "cardgenius-metrics"),
            onServerRunning: { channel in
                logger.info(
                    "metrics endpoint listening",
                    metadata: [
                        "address": "http://\(host):\(channel.localAddress?.port ?? 0)", "paths": "/metrics /healthz /readyz",
                    ])
            },
            logger: logger)
        do {
            try await app.run()
        } catch is CancellationError {
            return
        } catch {
            logger.error("metrics endpoint on port \(port) failed, carrying on without it: \(error)")
            try? await gracefulShutdown()
        }
    }

    /// Whether every member is ready, and the `/readyz` body:
    /// `{"status":"ready"|"not ready","reasons":[...],"members":[...]}`.
    static func readiness(_ members: [PipelineHealth]) -> (ready: Bool, body: String) {
        var reasons: [String] = []
        var details: [Readiness.Member] = []
        for (i, h) in members.enumerated() {
            let prefix = members.count > 1 ? "member \(i + 1): " : ""
            reasons += h.notReadyReasons.map { prefix + $0 }
            details.append(
                Readiness.Member(
                    ready: h.isReady, joined: h.joined, partitions: h.assignedPartitions, circuit: h.circuit.rawValue,
                    stopping: h.stopping, throughput: (h.throughput * 100).rounded() / 100,
                    brokerSilenceSeconds: h.brokerSilence.map { Double($0.components.seconds) },
                    lag: h.lag, lagSeconds: h.lagSeconds?.rounded()))
        }
        let ready = reasons.isEmpty && !members.isEmpty
        if members.isEmpty { reasons.append("no member") }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = Readiness(status: ready ? "ready" : "not ready", reasons: reasons, members: details)
        let data = (try? encoder.encode(body)) ?? Data("{}".utf8)
        return (ready, String(decoding: data, as: UTF8.self))
    }

    /// The `/readyz` body.
    private struct Readiness: Encodable {
        /// One member's part of it; absent figures are left out.
        struct Member: Encodable {
            var ready: Bool
            var joined: Bool
            var partitions: Int
            var circuit: String
            var stopping: Bool
            var throughput: Double
            var brokerSilenceSeconds: Double?
            var lag: Int?
            var lagSeconds: Double?

            enum CodingKeys: String, CodingKey {
                case ready, joined, partitions, circuit, stopping, throughput, lag
                case brokerSilenceSeconds = "broker_silence_s"
                case lagSeconds = "lag_s"
            }
        }

        var status: String
        var reasons: [String]
        var members: [Member]
    }

    private static func json(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: body + "\n")))
    }
}

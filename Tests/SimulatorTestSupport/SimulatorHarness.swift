import AsyncHTTPClient
import CardGenius
import Logging
import NIOCore
import Simulator

// Shared by CardGeniusTests and SimulatorTests: an in-process simulator and raw HTTP helpers.

/// Runs an in-process simulator on 127.0.0.1 with a free port for the duration of `body`.
package func withSimulator<T: Sendable>(
    _ configuration: SimulatorConfiguration,
    _ body: @Sendable (_ simulator: APISimulator, _ port: Int) async throws -> T
) async throws -> T {
    var configuration = configuration
    configuration.host = "127.0.0.1"
    configuration.port = 0
    var logger = Logger(label: "test.simulator")
    logger.logLevel = .critical
    let simulator = APISimulator(configuration: configuration, logger: logger)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await simulator.run() }
        let port = try await simulator.waitUntilListening()
        do {
            let result = try await body(simulator, port)
            group.cancelAll()
            return result
        } catch {
            group.cancelAll()
            throw error
        }
    }
}

/// A client for the simulator at `port`, shut down after `body`.
package func withClient<T: Sendable>(
    port: Int,
    requestTimeout: Duration = .seconds(10),
    maxConnections: Int = 20,
    maxBodyBytes: Int = 8 * 1024 * 1024,
    _ body: @Sendable (CardGeniusClient) async throws -> T
) async throws -> T {
    var logger = Logger(label: "test.client")
    logger.logLevel = .critical
    let client = CardGeniusClient(
        configuration: .init(
            url: "http://127.0.0.1:\(port)/cg/api/pro",
            connectTimeout: .seconds(2),
            requestTimeout: requestTimeout,
            maxConnections: maxConnections,
            maxBodyBytes: maxBodyBytes
        ),
        logger: logger
    )
    do {
        let result = try await body(client)
        try await client.shutdown()
        return result
    } catch {
        try? await client.shutdown()
        throw error
    }
}

/// A fast simulator configuration: no latency unless asked.
package func fastConfiguration(latencyMilliseconds: Double = 0) -> SimulatorConfiguration {
    SimulatorConfiguration(latencyMilliseconds: latencyMilliseconds, latencySigma: 0.05, latencyScale: 1)
}

/// A typical spend profile.
package let typicalSpends: [SpendField: Double] = [
    .amazonSpends: 8_000, .flipkartSpends: 4_000, .groceryOnline: 6_000, .onlineFoodOrdering: 3_500,
    .otherOnline: 2_000, .otherOffline: 12_000, .diningOrGoingOut: 4_000, .fuel: 5_000,
    .mobilePhoneBills: 1_200, .electricityBills: 2_500, .hotelsAnnual: 40_000, .flightsAnnual: 60_000,
    .domesticLoungeUsageQuarterly: 2,
]

/// Finds `needle` in `haystack`.
package func firstRange(of needle: [UInt8], in haystack: [UInt8]) -> Range<Int>? {
    guard !needle.isEmpty, needle.count <= haystack.count else { return nil }
    outer: for start in 0...(haystack.count - needle.count) {
        for k in 0..<needle.count where haystack[start + k] != needle[k] { continue outer }
        return start..<(start + needle.count)
    }
    return nil
}

/// Sends a raw POST with AsyncHTTPClient; returns status and body.
package func rawPost(port: Int, path: String = "/cg/api/pro", body: [UInt8]) async throws -> (status: Int, body: [UInt8]) {
    let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
    do {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(body)
        let response = try await client.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        try await client.shutdown()
        return (Int(response.status.code), Array(buffer: bytes))
    } catch {
        try? await client.shutdown()
        throw error
    }
}

package func post(port: Int, body: [UInt8]) async throws -> (status: Int, body: [UInt8]) {
    try await rawPost(port: port, body: body)
}

/// Sends a bodiless request.
package func request(port: Int, method: String, path: String) async throws -> (status: Int, body: [UInt8]) {
    let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
    do {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = .init(rawValue: method)
        let response = try await client.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        try await client.shutdown()
        return (Int(response.status.code), Array(buffer: bytes))
    } catch {
        try? await client.shutdown()
        throw error
    }
}

import AsyncHTTPClient
import Foundation
import NIOCore

/// Free ports and GETs, for tests of the processes' HTTP endpoints.
package enum HTTP {
    /// A TCP port nobody listens on right now (bound to port 0 on 127.0.0.1, then released).
    package static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// GET `url` (2 s time-out): the status and body (the first 16 MiB), or nil when
    /// nothing answered.
    package static func get(_ url: String) async -> (status: Int, body: String)? {
        do {
            let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(2))
            let body = try await response.body.collect(upTo: 16 << 20)
            return (Int(response.status.code), String(buffer: body))
        } catch {
            return nil
        }
    }

    /// One client for every test of the process: it fails at once when nothing listens
    /// (tests poll endpoints that are not up yet, or no longer), instead of retrying the
    /// connection until the time-out. Never shut down: it lives as long as the test process.
    private static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()
}

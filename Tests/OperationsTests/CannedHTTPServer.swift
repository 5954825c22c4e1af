import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// A Hummingbird server on 127.0.0.1 (an ephemeral port) that answers every request with
/// one canned response, for tests of the client that reads a member's metrics.
final class CannedHTTPServer: Sendable {
    /// The port it listens on.
    let port: Int
    private let received: RequestLog

    private init(port: Int, received: RequestLog) {
        self.port = port
        self.received = received
    }

    /// `http://127.0.0.1:<port><path>`.
    func url(_ path: String = "/metrics") -> URL { URL(string: "http://127.0.0.1:\(port)\(path)")! }

    /// The requests received so far, as method and target (`GET /metrics`).
    var requests: [String] { received.lines }

    /// Runs `test` with a server that answers `status`, `contentType` and `body`; the server
    /// has stopped listening when this returns.
    static func serving<T: Sendable>(
        status: HTTPResponse.Status = .ok,
        contentType: String = "text/plain; version=0.0.4; charset=utf-8",
        body: String,
        _ test: (CannedHTTPServer) async throws -> T
    ) async throws -> T {
        let received = RequestLog()
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let responder = CallbackResponder { (request: Request, _: BasicRequestContext) in
            received.append("\(request.method) \(request.uri)")
            return Response(
                status: status,
                headers: [.contentType: contentType],
                body: ResponseBody(byteBuffer: ByteBuffer(string: body))
            )
        }
        let application = Application(
            responder: responder,
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: Logger(label: "canned-http") { _ in SwiftLogNoOpLogHandler() }
        )
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await application.run() }
            defer { group.cancelAll() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next(), port > 0 else { throw POSIXError(.EADDRNOTAVAIL) }
            return try await test(CannedHTTPServer(port: port, received: received))
        }
    }
}

/// The request lines a ``CannedHTTPServer`` received.
private final class RequestLog: Sendable {
    private let storage = Mutex<[String]>([])
    func append(_ line: String) { storage.withLock { $0.append(line) } }
    var lines: [String] { storage.withLock { $0 } }
}

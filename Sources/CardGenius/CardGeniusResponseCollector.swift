import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// Collects one CardGenius answer on the connection's event loop: the status, the two
/// headers the client reads, and the body in one buffer sized from `Content-Length`.
///
/// The async `HTTPClient.execute` hands the head and then every body chunk to the calling
/// task, one thread hop each; collecting on the event loop and completing once costs one
/// hop per call (BENCHMARKS.md, section 0a). A body over the size cap fails the call with
/// `NIOTooManyBytesError`, as `collect(upTo:)` does. It also remembers whether the head had arrived,
/// so that a connection lost mid-body is told from one lost before the answer.
final class CardGeniusResponseCollector: HTTPClientResponseDelegate {
    /// What the client reads of a head, parsed once.
    struct Head: Sendable {
        var status: Int
        var retryAfter: Duration?
        var rateLimitRemaining: Int?

        init(_ head: HTTPResponseHead) {
            status = Int(head.status.code)
            retryAfter = head.headers.first(name: "Retry-After").flatMap { RetryAfter.parse($0) }
            rateLimitRemaining = head.headers.first(name: "X-RateLimit-Remaining").flatMap {
                Int($0.trimmingCharacters(in: .whitespaces))
            }
        }
    }

    /// A complete answer.
    struct Answer: Sendable {
        var head: Head
        var body: ByteBuffer
    }

    private struct State {
        var head: Head?
        var announced: Int?
        var body: ByteBuffer?
    }

    private let state = Mutex(State())
    private let maxBodyBytes: Int

    init(maxBodyBytes: Int) {
        self.maxBodyBytes = maxBodyBytes
    }

    /// The head, once it has arrived.
    var head: Head? { state.withLock { $0.head } }

    func didReceiveHead(task: HTTPClient.Task<Answer>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        let announced = head.headers.first(name: "Content-Length").flatMap { Int($0) }
        if let announced, announced > maxBodyBytes {
            state.withLock { $0.head = Head(head) }
            return task.eventLoop.makeFailedFuture(NIOTooManyBytesError(maxBytes: maxBodyBytes))
        }
        state.withLock { s in
            s.head = Head(head)
            s.announced = announced
        }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Answer>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        let fits = state.withLock { s -> Bool in
            guard (s.body?.readableBytes ?? 0) + buffer.readableBytes <= maxBodyBytes else { return false }
            if s.body == nil {
                // Often the whole body: kept as NIO read it, without a copy.
                s.body = buffer
            } else {
                var part = buffer
                // One copy into room for the whole announced body.
                s.body!.reserveCapacity(minimumWritableBytes: max(part.readableBytes, (s.announced ?? 0) - s.body!.readableBytes))
                s.body!.writeBuffer(&part)
            }
            return true
        }
        return fits ? task.eventLoop.makeSucceededVoidFuture() : task.eventLoop.makeFailedFuture(NIOTooManyBytesError(maxBytes: maxBodyBytes))
    }

    func didReceiveError(task: HTTPClient.Task<Answer>, _ error: any Error) {}

    func didFinishRequest(task: HTTPClient.Task<Answer>) throws -> Answer {
        try state.withLock { s in
            guard let head = s.head else { throw HTTPClientError.remoteConnectionClosed }
            return Answer(head: head, body: s.body ?? ByteBuffer())
        }
    }
}

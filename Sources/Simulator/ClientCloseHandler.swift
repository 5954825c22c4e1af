import NIOCore

/// Closes a connection whose client has closed its side.
///
/// Hummingbird's server allows half-closed connections, so a client that gives up on a
/// request (a time-out, a cancelled call) leaves the channel active and a hanging request
/// would hang on, counted in flight, although nobody waits for it. No HTTP client here sends
/// a request and then half-closes to wait for the answer, so the end of the client's input
/// means the client is gone: the channel is closed, and ``SimulatorResponder/hang(seconds:channel:)``
/// ends when it sees that.
final class ClientCloseHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            context.close(promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }
}

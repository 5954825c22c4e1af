import Hummingbird
import NIOCore

/// Request context of the simulator: keeps the connection's channel so that a handler can
/// identify the client and reset or watch the connection.
struct SimulatorRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The child channel of the connection the request arrived on.
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }

    /// The client's IP address (the rate-limit key).
    var clientAddress: String {
        self.channel.remoteAddress?.ipAddress ?? "unknown"
    }
}

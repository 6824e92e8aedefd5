import Hummingbird
import NIOCore

/// Per-request context: the TCP peer (for per-client limits) and our request id.
public struct AppRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The TCP peer, never a header's claim.
    public let remoteAddress: SocketAddress?
    /// Random per request, echoed as `X-Request-Id`; never taken from the client.
    public var requestID: String
    /// The client's rate-limit key (its address, or its IPv6 network), set by
    /// `RateLimitMiddleware`: whose turn a code request takes in the queue.
    public var clientKey: String = ""

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
        self.requestID = ""
    }
}

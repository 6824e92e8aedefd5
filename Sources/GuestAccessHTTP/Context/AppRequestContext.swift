import Foundation
public import Hummingbird
public import NIOCore

/// Per-request context: the TCP peer (for per-client limits), our request id,
/// and the limits that decoding a body obeys — carried here so that
/// `request.decode(as:context:)` is strict everywhere (`requestDecoder`) and
/// every JSON answer has the same bytes for the same value (`responseEncoder`).
public struct AppRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The TCP peer, never a header's claim.
    public let remoteAddress: SocketAddress?
    /// Random per request, echoed as `X-Request-Id` and in every log line of
    /// the request (`logger`'s `request_id`); never taken from the client.
    public var requestID: String
    /// The client's rate-limit key (its address, or its IPv6 network), set by
    /// `RateLimitMiddleware`: whose turn a code request takes in the queue.
    public var clientKey: String = ""
    /// Largest body `requestDecoder` reads (the policy's `http.maxBodyBytes`,
    /// set by `Envelope`).
    public var maxBodyBytes: Int = 8192
    /// When reading the body gives up with 503 (start plus the policy's
    /// `http.requestTimeoutSeconds`, set by `Envelope`).
    public var deadline: ContinuousClock.Instant = .now + .seconds(10)

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
        self.requestID = ""
    }

    public var maxUploadSize: Int { maxBodyBytes }

    public var requestDecoder: StrictJSONRequestDecoder {
        StrictJSONRequestDecoder(maxBodyBytes: maxBodyBytes, deadline: deadline)
    }

    public var responseEncoder: JSONResponseEncoder { JSONResponseEncoder() }
}

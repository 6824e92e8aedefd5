public import GuestAccessService
public import Hummingbird

/// 429 `rate_limited` with `Retry-After` when a client's bucket is empty —
/// the same for every order, since the key is the client, never the order.
/// The bucket is the client's `ClientKey`: its IPv4 address, or its IPv6
/// network (a /64 by default), so one host cannot spread over fresh buckets.
public struct RateLimitMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    let limiter: RateLimiter
    let clients: ClientAddress
    let keys: ClientKey
    let metrics: ServiceMetrics

    public init(limiter: RateLimiter, clients: ClientAddress, keys: ClientKey = ClientKey(), metrics: ServiceMetrics) {
        self.limiter = limiter
        self.clients = clients
        self.keys = keys
        self.metrics = metrics
    }

    public func handle(
        _ request: Request,
        context: AppRequestContext,
        next: (Request, AppRequestContext) async throws -> Response
    ) async throws -> Response {
        let peer = context.remoteAddress
        let peerText = peer?.peerIPText
        let client = clients.resolve(peer: peerText, forwardedFor: request.headers[values: .forwardedFor])
        // An IPv4 peer's own text is already its key: `peerIPText` writes the dotted quad without
        // leading zeros, as `ClientKey` does (`PeerIPTextTests`). Parsing it again was about 1,000
        // instructions of every request (BENCHMARKS.md, 2026-11-29 afternoon).
        let key: String
        if case .v4 = peer, client == peerText {
            key = client
        } else {
            key = keys.key(for: client)
        }
        if let retryAfter = limiter.take(key) {
            metrics.count(.rateLimited)
            throw APIError.rateLimited(retryAfter: retryAfter)
        }
        var context = context
        context.clientKey = key
        return try await next(request, context)
    }
}

import Hummingbird

/// 429 `rate_limited` with `Retry-After` when a client's bucket is empty —
/// the same for every order, since the key is the client, never the order.
public struct RateLimitMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    let limiter: RateLimiter
    let clients: ClientAddress
    let metrics: ServiceMetrics

    public init(limiter: RateLimiter, clients: ClientAddress, metrics: ServiceMetrics) {
        self.limiter = limiter
        self.clients = clients
        self.metrics = metrics
    }

    public func handle(
        _ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response
    ) async throws -> Response {
        let client = clients.resolve(peer: context.remoteAddress, forwardedFor: request.headers[values: .init("X-Forwarded-For")!])
        if let retryAfter = limiter.take(client) {
            metrics.count("rate_limited")
            throw APIError.rateLimited(retryAfter: retryAfter)
        }
        return try await next(request, context)
    }
}

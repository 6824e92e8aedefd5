public import GuestAccessService
public import Hummingbird

/// Counts every answer by route template and status, and times it by route
/// (`Metric.Counter.httpRequests`, `Metric.Timer.httpRequest`). Sits outside
/// `EnvelopeMiddleware`, so it sees the status the client gets.
public struct MetricsMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    let metrics: ServiceMetrics

    public init(metrics: ServiceMetrics) { self.metrics = metrics }

    public func handle(
        _ request: Request,
        context: AppRequestContext,
        next: (Request, AppRequestContext) async throws -> Response
    ) async throws -> Response {
        let started = ContinuousClock.now
        let response = try await next(request, context)
        metrics.recordRequest(
            route: context.endpointPath ?? "unmatched",
            status: response.status.code,
            duration: ContinuousClock.now - started
        )
        return response
    }
}

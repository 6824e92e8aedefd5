import Foundation
import GuestAccessCore
import GuestAccessService
public import Hummingbird
import Logging

/// The outermost layer: gives the request its random id — in `requestID`,
/// and as `request_id` on every log line written while it is served
/// (`RequestLogID`, read by the log handler), so every line a handler or use
/// case logs for it carries the id — and writes one access-log line that
/// names the route template, never the raw path (it may hold a token).
public struct AccessLogMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    let ids = RequestIDSource()

    public init() {}

    public func handle(
        _ request: Request,
        context: AppRequestContext,
        next: (Request, AppRequestContext) async throws -> Response
    ) async throws -> Response {
        let started = ContinuousClock.now
        var context = context
        context.requestID = ids.next()
        return try await RequestLogID.$current.withValue(context.requestID) { [context] in
            let response = try await next(request, context)
            let elapsed = ContinuousClock.now - started
            let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            context.logger.info(
                "request",
                metadata: [
                    "method": "\(request.method.rawValue.prefix(16))",
                    "route": "\(context.endpointPath ?? "unmatched")",
                    "status": "\(response.status.code)",
                    "duration_ms": "\(String(format: "%.2f", milliseconds))",
                ]
            )
            return response
        }
    }
}

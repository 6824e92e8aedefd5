import GuestAccessCore
public import GuestAccessService
public import Hummingbird

/// The one layer in front of every route, its parts in this order, outermost
/// first: the access log (the request's id, its log line), the metrics (every
/// answer counted by route template and status, and timed by route), CORS
/// when origins are configured, and the envelope (every error becomes the
/// contract's answer, with the contract's headers). The parts outside the
/// envelope see the status the client gets; a CORS preflight is answered
/// before the envelope, as a browser expects.
///
/// One layer rather than four: each layer of the router is an async call
/// through an existential and a closure of its own, and folding three of
/// them into this one saved about 1.5% of a tracking request's instructions
/// (BENCHMARKS.md, 2026-11-29 afternoon).
public struct FrontMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    let accessLog = AccessLog()
    let metrics: ServiceMetrics?
    let cors: CORSAllowList?
    let envelope: Envelope

    /// `metrics`: where answers are counted (none on the operations
    /// listener); `corsOrigins`: the browser origins that may call the guest API.
    public init(metrics: ServiceMetrics?, corsOrigins: [String] = [], envelope: Envelope) {
        self.metrics = metrics
        self.cors = corsOrigins.isEmpty ? nil : CORSAllowList(origins: corsOrigins)
        self.envelope = envelope
    }

    public func handle(
        _ request: Request,
        context: AppRequestContext,
        next: (Request, AppRequestContext) async throws -> Response
    ) async throws -> Response {
        let started = ContinuousClock.now
        var context = context
        context.requestID = accessLog.ids.next()
        return await RequestLogID.$current.withValue(context.requestID) { [context] in
            var response: Response
            let origin = cors?.allowedOrigin(of: request)
            if let cors, let origin, let preflight = cors.preflight(request, origin: origin) {
                response = preflight
            } else {
                response = await envelope.respond(to: request, context: context, next: next)
                if let cors, let origin { cors.decorate(&response, origin: origin) }
            }
            let elapsed = ContinuousClock.now - started
            // The route template the router matched, never the request's path.
            metrics?.recordRequest(route: context.endpointPath ?? "unmatched", status: response.status.code, duration: elapsed)
            accessLog.write(request, context: context, response: response, elapsed: elapsed)
            return response
        }
    }
}

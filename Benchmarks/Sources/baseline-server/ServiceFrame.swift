import Hummingbird

/// The service's router with none of its work: a floor under the tracking
/// and re-fetch routes on this design (BENCHMARKS.md, 2026-11-28 (late
/// morning)). The same route table as the service's API (`buildRouter`: the
/// health, OpenAPI, guest, code and admin routes, `HEAD` generated for each
/// `GET`), the same middleware layers in the same places (three on the
/// router, where the access log, metrics and envelope sit; one on `/v1`, where
/// the rate limiter sits; one on `/v1/admin`), each passing the request on and
/// doing nothing else, and at `/v1/tracking/:token` and `/v1/guest/order` the
/// reference routes' handlers (with the service's crypto and table
/// definitions). Lighter than the service in what it leaves out: the
/// service's request context (it reads the peer's address and holds a
/// request id) and every layer's own work. Four separate layers, as the
/// service has them: a service folding them into one would have a lighter
/// frame (`/bare` here measures what three cost).
enum ServiceFrame {
    static func router(tracking: TrackingReference, refetch: RefetchReference) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self, options: .autoGenerateHeadEndpoints)
        router.add(middleware: PassThrough())
        router.add(middleware: PassThrough())
        router.add(middleware: PassThrough())
        router.get("/healthz") { _, _ in #"{"status":"ok"}"# }
        router.get("/readyz") { _, _ in #"{"status":"ok"}"# }
        router.get("/openapi.yaml") { _, _ in "openapi: 3.1.0" }
        let v1 = router.group("/v1").add(middleware: PassThrough())
        tracking.add(at: "/tracking/:token", to: v1)
        v1.post("/access-codes") { _, _ in HTTPResponse.Status.accepted }
        v1.post("/access-codes/verify") { _, _ in HTTPResponse.Status.unauthorized }
        refetch.add(at: "/guest/order", to: v1)
        v1.delete("/guest/token") { _, _ in HTTPResponse.Status.noContent }
        let admin = router.group("/v1/admin").add(middleware: PassThrough())
        admin.post("/tracking-tokens") { _, _ in HTTPResponse.Status.created }
        admin.post("/orders/:orderNumber/revoke") { _, _ in HTTPResponse.Status.noContent }
        router.group("/metrics").add(middleware: PassThrough()).get { _, _ in "" }
        // Last, so no route the service has is compared with it first; the bare route's own answer.
        router.get("/bare") { _, _ -> Response in
            Response(
                status: .ok,
                headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#))
            )
        }
        return router
    }

    /// A middleware layer's frame and nothing in it.
    struct PassThrough: RouterMiddleware {
        typealias Context = BasicRequestContext
        func handle(
            _ request: Request,
            context: Context,
            next: (Request, Context) async throws -> Response
        ) async throws
            -> Response
        { try await next(request, context) }
    }
}

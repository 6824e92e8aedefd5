import HTTPTypes
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
/// request id) and every layer's own work. `Layers.service`: four separate
/// layers on the API's paths, as the service has them. `Layers.folded`: one
/// layer on the router and none on the groups, the lightest frame a service
/// with any layer could have (BENCHMARKS.md, 2026-11-29). Since 2026-11-29
/// (late) the service answers the two reads' plain paths ahead of its router
/// (`ServiceResponder`), so it no longer pays the router's resolve on them,
/// and this frame, which does, is no longer a floor under those two routes.
enum ServiceFrame {
    /// How the frame's empty middleware layers are placed.
    enum Layers: String {
        /// Three on the router, one on each of `/v1`, `/v1/admin` and `/metrics`: the service's.
        case service
        /// One on the router, none on the groups: every layer folded into one.
        case folded
        /// `folded`, its one layer setting the four headers the contract puts on every response, the
        /// request id a constant: a lower bound on the envelope's cost, with nothing else of any layer.
        case headers
    }

    static func router(tracking: TrackingReference, refetch: RefetchReference, layers: Layers) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self, options: .autoGenerateHeadEndpoints)
        router.add(middleware: FrameLayer(setsHeaders: layers == .headers))
        if layers == .service {
            router.add(middleware: FrameLayer())
            router.add(middleware: FrameLayer())
        }
        router.get("/healthz") { _, _ in #"{"status":"ok"}"# }
        router.get("/readyz") { _, _ in #"{"status":"ok"}"# }
        router.get("/openapi.yaml") { _, _ in "openapi: 3.1.0" }
        let v1 = layers == .service ? router.group("/v1").add(middleware: FrameLayer()) : router.group("/v1")
        tracking.add(at: "/tracking/:token", to: v1)
        v1.post("/access-codes") { _, _ in HTTPResponse.Status.accepted }
        v1.post("/access-codes/verify") { _, _ in HTTPResponse.Status.unauthorized }
        refetch.add(at: "/guest/order", to: v1)
        v1.delete("/guest/token") { _, _ in HTTPResponse.Status.noContent }
        let admin = layers == .service ? router.group("/v1/admin").add(middleware: FrameLayer()) : router.group("/v1/admin")
        admin.post("/tracking-tokens") { _, _ in HTTPResponse.Status.created }
        admin.post("/orders/:orderNumber/revoke") { _, _ in HTTPResponse.Status.noContent }
        if layers == .service {
            router.group("/metrics").add(middleware: FrameLayer()).get { _, _ in "" }
        } else {
            router.get("/metrics") { _, _ in "" }
        }
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

    /// A middleware layer's frame with nothing in it, or (`Layers.headers`) setting the contract's four
    /// response headers and doing nothing else.
    struct FrameLayer: RouterMiddleware {
        typealias Context = BasicRequestContext
        static let requestID = HTTPField.Name("X-Request-Id")!
        static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
        static let contentTypeOptions = HTTPField.Name("X-Content-Type-Options")!

        var setsHeaders = false

        func handle(
            _ request: Request,
            context: Context,
            next: (Request, Context) async throws -> Response
        ) async throws
            -> Response
        {
            guard setsHeaders else { return try await next(request, context) }
            var response = try await next(request, context)
            response.headers[Self.requestID] = "AAAAAAAAAAAAAAAA"
            response.headers[.cacheControl] = "no-store"
            response.headers[Self.referrerPolicy] = "no-referrer"
            response.headers[Self.contentTypeOptions] = "nosniff"
            return response
        }
    }
}

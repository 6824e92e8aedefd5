public import Hummingbird

/// CORS for storefront front ends that call the guest API from the browser
/// (`--cors-origins`): a preflight from a listed origin is answered, and
/// answers to a listed origin carry `Access-Control-Allow-Origin` naming it.
/// Any other origin gets no CORS header at all, so the browser keeps the
/// answer from its script. Only the guest API: never the admin routes, the
/// metrics or the pages. No credentials mode: the API takes bearer tokens,
/// not cookies. Runs outside `EnvelopeMiddleware`, so error answers carry
/// the headers too (the SDK reads their `Retry-After`).
public struct CORSAllowListMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    let origins: Set<String>

    public init(origins: [String]) { self.origins = Set(origins) }

    static func isGuestAPI(_ path: String) -> Bool {
        ["/v1/tracking/", "/v1/access-codes", "/v1/guest/"].contains { path.hasPrefix($0) }
    }

    public func handle(
        _ request: Request,
        context: AppRequestContext,
        next: (Request, AppRequestContext) async throws -> Response
    ) async throws -> Response {
        guard !origins.isEmpty, let origin = request.headers[.origin], origins.contains(origin), Self.isGuestAPI(request.uri.path) else {
            return try await next(request, context)
        }
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            return Response(
                status: .noContent,
                headers: [
                    .accessControlAllowOrigin: origin, .accessControlAllowMethods: "GET, POST, DELETE",
                    .accessControlAllowHeaders: "Authorization, Content-Type, X-Request-Id", .accessControlMaxAge: "600", .vary: "Origin",
                ]
            )
        }
        var response = try await next(request, context)
        response.headers[.accessControlAllowOrigin] = origin
        response.headers[.accessControlExposeHeaders] = "Retry-After, X-Request-Id"
        response.headers[.vary] = "Origin"
        return response
    }
}

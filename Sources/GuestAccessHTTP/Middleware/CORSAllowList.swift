import Hummingbird

/// CORS for storefront front ends that call the guest API from the browser
/// (`--cors-origins`): a preflight from a listed origin is answered, and
/// answers to a listed origin carry `Access-Control-Allow-Origin` naming it.
/// Any other origin gets no CORS header at all, so the browser keeps the
/// answer from its script. Only the guest API: never the admin routes, the
/// metrics or the pages. No credentials mode: the API takes bearer tokens,
/// not cookies. `FrontMiddleware` runs it outside the envelope, so error
/// answers carry the headers too (the SDK reads their `Retry-After`).
struct CORSAllowList: Sendable {
    let origins: Set<String>

    init(origins: [String]) { self.origins = Set(origins) }

    static func isGuestAPI(_ path: String) -> Bool {
        ["/v1/tracking/", "/v1/access-codes", "/v1/guest/"].contains { path.hasPrefix($0) }
    }

    /// The request's origin when it is listed and asks for the guest API;
    /// nil means no CORS header for this request.
    func allowedOrigin(of request: Request) -> String? {
        guard !origins.isEmpty, let origin = request.headers[.origin], origins.contains(origin), Self.isGuestAPI(request.uri.path) else {
            return nil
        }
        return origin
    }

    /// The answer to a preflight from `origin`, or nil when the request is not one.
    func preflight(_ request: Request, origin: String) -> Response? {
        guard request.method == .options, request.headers[.accessControlRequestMethod] != nil else { return nil }
        return Response(
            status: .noContent,
            headers: [
                .accessControlAllowOrigin: origin, .accessControlAllowMethods: "GET, POST, DELETE",
                .accessControlAllowHeaders: "Authorization, Content-Type, X-Request-Id", .accessControlMaxAge: "600", .vary: "Origin",
            ]
        )
    }

    /// The headers an answer to `origin` carries.
    func decorate(_ response: inout Response, origin: String) {
        response.headers[.accessControlAllowOrigin] = origin
        response.headers[.accessControlExposeHeaders] = "Retry-After, X-Request-Id"
        response.headers[.vary] = "Origin"
    }
}

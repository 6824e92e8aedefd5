public import Hummingbird

/// The service's responder: the two reads, tracking and the re-fetch, when
/// their request target is in its plain form (`ReadRoute`), are answered
/// without Hummingbird's router; every other request goes to the router.
///
/// Why: the router resolves the path before any middleware runs, and its
/// trie walks the path one `Character` at a time, each step a call into the
/// standard library's grapheme breaking. Resolving a tracking path (48
/// characters) took 27,500 instructions, an eighth of the whole request,
/// and the request about 36,000 fewer without the router's resolve and layers
/// (BENCHMARKS.md, 2026-11-29 (late)). Recognising the two paths' bytes
/// costs a few hundred.
///
/// For those requests it does what the router does and nothing else: it
/// labels the request with the route's template (the metrics and the access
/// log read it), runs the same front layer (`FrontMiddleware`), the `/v1`
/// group's rate limit and the same controller function the route calls, and
/// turns a thrown HTTP error into its answer as the router does. These paths
/// in any other form, or with another method (HEAD, OPTIONS, POST: the
/// router's HEAD and 405 answers), go to the router untouched. The routes
/// stay in the router too, so the router remains the one definition of every
/// path; this answers some of its requests sooner.
public struct ServiceResponder: HTTPResponder {
    public typealias Context = AppRequestContext

    /// Every other request's responder.
    let router: RouterResponder<AppRequestContext>
    /// The front layer the router's routes run first, the same instance.
    let front: FrontMiddleware
    /// The reads' work after the front layer (`ReadHandlers`).
    let reads: @Sendable (ReadRoute, Request, AppRequestContext) async throws -> Response

    public func respond(to request: Request, context: AppRequestContext) async throws -> Response {
        guard request.method == .get, let target = request.head.path, let route = ReadRoute(target: target) else {
            return try await router.respond(to: request, context: context)
        }
        context.coreContext.endpointPath.value = route.template
        do {
            return try await front.handle(request, context: context) { [reads] request, context in
                try await reads(route, request, context)
            }
        } catch let error as any HTTPResponseError {
            return try error.response(from: request, context: context)
        }
    }
}

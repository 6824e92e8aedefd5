public import Hummingbird

/// What `buildRouter` returns: the router with every route, and what
/// `ServiceResponder` needs to answer the two reads ahead of it. The
/// application is built from this (`HTTPResponderBuilder`): the router's
/// responder is made then, from the routes it holds at that moment.
public struct ServiceRoutes: HTTPResponderBuilder {
    /// Every route the service serves, the two reads' included.
    public let router: Router<AppRequestContext>
    /// The router's own front layer, the same instance.
    let front: FrontMiddleware
    /// `ReadHandlers.respond`, over the concrete stores and provider.
    let reads: @Sendable (ReadRoute, Request, AppRequestContext) async throws -> Response

    @usableFromInline init(
        router: Router<AppRequestContext>,
        front: FrontMiddleware,
        reads: @escaping @Sendable (ReadRoute, Request, AppRequestContext) async throws -> Response
    ) {
        self.router = router
        self.front = front
        self.reads = reads
    }

    public func buildResponder() -> ServiceResponder {
        ServiceResponder(router: router.buildResponder(), front: front, reads: reads)
    }
}

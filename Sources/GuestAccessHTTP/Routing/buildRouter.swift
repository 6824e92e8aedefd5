public import GuestAccessCore
public import GuestAccessService
public import Hummingbird

/// The routes and middleware over the use cases. Middleware order, outermost
/// first: `FrontMiddleware` (the access log and request id, metrics, CORS,
/// the envelope that makes every error the contract's answer); then per
/// group the rate limit (guest routes) or the admin key (admin routes and
/// `/metrics`). Without `renderMetrics` (an operations listener serves them)
/// there is no `/metrics` route on this router. `addPages` adds the shopper
/// pages (another module) behind the same rate limiter; `corsOrigins` lets
/// those browser origins call the guest API.
///
/// The answer is the router with every route and, beside it, the two reads
/// that `ServiceResponder` serves ahead of the router in their plain form,
/// through the same front layer, rate limit and controllers
/// (`ReadHandlers`).
///
/// `@inlinable`, as are the read paths under it (the tracking and guest
/// controllers, `TrackOrder`, `ReadOrder`, the access-token check and the
/// order lookup): the server module, which names the concrete stores and
/// provider, then compiles those paths specialised. Generic across modules,
/// each request looked up its controllers' and use cases' type metadata at
/// run time, about 4,000 instructions a tracking lookup (BENCHMARKS.md,
/// 2026-11-29 (night)). The other routes are called generically, as before.
@inlinable
public func buildRouter<Stores: GuestAccessStores, Provider: OrderDetailProvider>(
    _ app: GuestAccess<Stores, Provider>,
    policy: Policy,
    adminKey: AdminKey,
    clients: ClientAddress,
    readiness: Readiness,
    metrics: ServiceMetrics,
    renderMetrics: (@Sendable () -> [UInt8])?,
    corsOrigins: [String] = [],
    addPages: ((Router<AppRequestContext>, RateLimitMiddleware) -> Void)? = nil
) -> ServiceRoutes {
    let router = Router(context: AppRequestContext.self, options: .autoGenerateHeadEndpoints)
    let front = FrontMiddleware(
        metrics: metrics,
        corsOrigins: corsOrigins,
        envelope: Envelope(
            maxHeaderBytes: policy.http.maxHeaderBytes,
            maxHeaderCount: policy.http.maxHeaderCount,
            maxBodyBytes: policy.http.maxBodyBytes,
            requestTimeout: .seconds(policy.http.requestTimeoutSeconds)
        )
    )
    router.add(middleware: front)
    let limits = RateLimitMiddleware(
        limiter: RateLimiter(burst: policy.rateLimits.perClientBurst, perSecond: policy.rateLimits.perClientPerSecond),
        clients: clients,
        keys: ClientKey(ipv6PrefixLength: policy.rateLimits.ipv6PrefixLength),
        metrics: metrics
    )
    router.addRoutes(HealthController(readiness: readiness).endpoints)
    router.addRoutes(OpenAPIController().endpoints)

    // `ReadHandlers` repeats this group's middleware for the plain-form reads: keep the two alike.
    router.group("/v1").add(middleware: limits)
        .addRoutes(TrackingController(app).endpoints)
        .addRoutes(AccessCodeController(app).endpoints)
        .addRoutes(GuestController(app).endpoints)
    router.group("/v1/admin").add(middleware: AdminAuthMiddleware(key: adminKey))
        .addRoutes(AdminController(app).endpoints)
    // The pages share the API's limiter: one bucket per client for both.
    addPages?(router, limits)
    if let renderMetrics {
        router.group("/metrics").add(middleware: AdminAuthMiddleware(key: adminKey))
            .addRoutes(MetricsController(render: renderMetrics).endpoints)
    }
    let reads = ReadHandlers(app, limits: limits)
    return ServiceRoutes(router: router, front: front) { route, request, context in
        try await reads.respond(to: route, request: request, context: context)
    }
}

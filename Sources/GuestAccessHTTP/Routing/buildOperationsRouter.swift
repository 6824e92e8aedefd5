public import GuestAccessService
public import Hummingbird

/// The operations listener's routes: `/healthz` and `/readyz` open (they
/// say up and ready, nothing more, and orchestrators probe them without
/// credentials), `/metrics` behind `credential` when one is set. Nothing of
/// the guest or admin API is reachable here.
public func buildOperationsRouter(
    readiness: Readiness,
    credential: AdminKey?,
    renderMetrics: @escaping @Sendable () -> [UInt8]
) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self, options: .autoGenerateHeadEndpoints)
    router.add(
        middleware: FrontMiddleware(
            metrics: nil,
            envelope: Envelope(maxHeaderBytes: 8192, maxHeaderCount: 64, maxBodyBytes: 0, requestTimeout: .seconds(10))
        )
    )
    router.addRoutes(HealthController(readiness: readiness).endpoints)
    let group = router.group("/metrics")
    if let credential {
        group.add(middleware: AdminAuthMiddleware(key: credential)).addRoutes(MetricsController(render: renderMetrics).endpoints)
    } else {
        group.addRoutes(MetricsController(render: renderMetrics).endpoints)
    }
    return router
}

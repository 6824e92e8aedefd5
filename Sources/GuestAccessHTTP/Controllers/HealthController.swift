public import GuestAccessService
public import Hummingbird

/// `/healthz` (the process answers) and `/readyz` (started, not draining, and
/// storage and the order provider reachable — see `Readiness`).
public struct HealthController: Sendable {
    let readiness: Readiness

    public init(readiness: Readiness) { self.readiness = readiness }

    public var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self)
            .get("/healthz") { _, _ in StatusResponse.ok }
            .get("/readyz") { _, _ in
                guard await readiness.check() else { throw APIError.unavailable }
                return StatusResponse.ready
            }
    }
}

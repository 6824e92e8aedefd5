import Hummingbird

/// `/healthz` (the process answers) and `/readyz` (storage, keyring and
/// provider reachable, and not draining).
public struct HealthController: Sendable {
    let readiness: Readiness

    public init(readiness: Readiness) { self.readiness = readiness }

    public func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/healthz") { _, _ in try JSONResponse.make(["status": "ok"]) }
        router.get("/readyz") { _, _ in
            guard await readiness.check() else { throw APIError.unavailable }
            return try JSONResponse.make(["status": "ready"])
        }
    }
}

import ServiceLifecycle

/// Turns `/readyz` false as soon as graceful shutdown begins, so load
/// balancers stop sending traffic while requests drain.
struct ReadinessService: Service {
    let readiness: Readiness

    func run() async throws {
        try? await gracefulShutdown()
        readiness.setStarted(false)
    }
}

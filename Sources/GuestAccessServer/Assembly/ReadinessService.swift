import GuestAccessService
import ServiceLifecycle
import UnixSignals

/// Turns `/readyz` false the moment SIGTERM or SIGINT arrives, or graceful
/// shutdown begins by other means, whichever is first. Services shut down in
/// reverse order, so waiting for graceful shutdown alone flipped readiness
/// only after the server had drained; the signal itself is heard here at
/// once, while `ShutdownSignals` keeps the server serving for the drain delay.
struct ReadinessService: Service {
    let readiness: Readiness

    func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in await UnixSignalsSequence(trapping: .sigterm, .sigint) { return }
            }
            group.addTask { try? await gracefulShutdown() }
            await group.next()
            readiness.setStarted(false)
            group.cancelAll()
        }
        // Returning early would end the service group: stay until shutdown reaches this service.
        try? await gracefulShutdown()
    }
}

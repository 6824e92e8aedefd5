public import Hummingbird
public import Logging
import ServiceLifecycle
import UnixSignals

/// Runs an application the way an orchestrator stops it: on SIGTERM or
/// SIGINT, `/readyz` turns 503 at once (`ReadinessService`) while the server
/// goes on serving for `drainDelay`, so load balancers take it out of
/// rotation before it stops accepting; then graceful shutdown drains the
/// requests in flight. A second signal skips what is left of the delay.
public enum ShutdownSignals {
    public static func run(_ app: some ApplicationProtocol, drainDelay: Duration, logger: Logger) async throws {
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        try await withThrowingDiscardingTaskGroup { tasks in
            tasks.addTask {
                await withDiscardingTaskGroup { delays in
                    var signals = 0
                    for await signal in await UnixSignalsSequence(trapping: .sigterm, .sigint) {
                        signals += 1
                        if signals > 1 {
                            await group.triggerGracefulShutdown()
                            continue
                        }
                        logger.info(
                            "shutdown requested: not ready, draining after the delay",
                            metadata: ["signal": "\(signal)", "drain_delay_seconds": "\(drainDelay.components.seconds)"]
                        )
                        delays.addTask {
                            try? await Task.sleep(for: drainDelay)
                            if !Task.isCancelled { await group.triggerGracefulShutdown() }
                        }
                    }
                }
            }
            try await group.run()
            tasks.cancelAll()
        }
    }
}

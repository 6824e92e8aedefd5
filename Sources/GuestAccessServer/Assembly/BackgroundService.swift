import ServiceLifecycle

/// A use case that works until its task is cancelled (code delivery, pruning),
/// run as a service: graceful shutdown cancels it, in reverse start order.
struct BackgroundService: Service {
    let work: @Sendable () async -> Void

    func run() async throws {
        await cancelWhenGracefulShutdown { await work() }
    }
}

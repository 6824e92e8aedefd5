import Foundation
import GuestAccessCore
import Logging
import ServiceLifecycle

/// Deletes audit events older than the policy's `audit.retentionDays`, at
/// start and then hourly, until graceful shutdown.
public struct AuditRetentionService: Service {
    let trail: any AuditTrail
    let retentionDays: Int
    let clock: any WallClock
    let logger: Logger

    public init(trail: any AuditTrail, retentionDays: Int, clock: any WallClock, logger: Logger) {
        self.trail = trail
        self.retentionDays = retentionDays
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let pruned = try await trail.prune(before: clock.now() - TimeInterval(retentionDays) * 86400)
                    if pruned > 0 { logger.info("audit events pruned", metadata: ["count": "\(pruned)"]) }
                } catch {
                    logger.error("audit pruning failed", metadata: ["reason": "\(error)"])
                }
                try? await Task.sleep(for: .seconds(3600))
            }
        }
    }
}

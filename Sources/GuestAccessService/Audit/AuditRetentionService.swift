import Foundation
public import GuestAccessCore
public import Logging

/// Deletes audit events older than the policy's `audit.retentionDays`, and
/// finished code requests older than a day (their outcome is in the audit
/// trail; the issuance limits count `code_issuance`, not these rows), at start
/// and then hourly, until its task is cancelled (at graceful shutdown). Without it a flood of code
/// requests would grow the database without bound.
public struct AuditRetentionService: Sendable {
    let trail: any AuditTrail
    let queue: any CodeRequestQueue
    let retentionDays: Int
    let maxEvents: Int
    let clock: any WallClock
    let logger: Logger

    public init(
        trail: any AuditTrail,
        queue: any CodeRequestQueue,
        retentionDays: Int,
        maxEvents: Int = 1_000_000,
        clock: any WallClock,
        logger: Logger
    ) {
        self.trail = trail
        self.queue = queue
        self.retentionDays = retentionDays
        self.maxEvents = maxEvents
        self.clock = clock
        self.logger = logger
    }

    public func run() async {
        while !Task.isCancelled {
            do {
                let pruned = try await trail.prune(
                    before: clock.now() - TimeInterval(retentionDays) * 86400,
                    keepingAtMost: maxEvents
                )
                if pruned > 0 { logger.info("audit events pruned", metadata: ["count": "\(pruned)"]) }
                let finished = try await queue.pruneFinished(before: clock.now() - 86400)
                if finished > 0 { logger.info("finished code requests pruned", metadata: ["count": "\(finished)"]) }
            } catch {
                logger.error("audit pruning failed", metadata: ["reason": "\(error)"])
            }
            try? await Task.sleep(for: .seconds(3600))
        }
    }
}

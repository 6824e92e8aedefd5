public import Foundation
public import GuestAccessCore
public import GuestAccessCrypto
public import Logging

/// Builds audit events (naming the order by its keyed digest under the active
/// key) and records the ones that are not part of a store transaction.
///
/// Holds the trail as an existential: it is called only on success paths and
/// by the delivery worker, never on a path whose timing must match another.
public struct AuditLog: Sendable {
    let trail: any AuditTrail
    let keyring: KeyringHolder
    let clock: any WallClock
    let logger: Logger
    let metrics: ServiceMetrics

    public init(trail: any AuditTrail, keyring: KeyringHolder, clock: any WallClock, logger: Logger, metrics: ServiceMetrics) {
        self.trail = trail
        self.keyring = keyring
        self.clock = clock
        self.logger = logger
        self.metrics = metrics
    }

    /// An event about `orderNumber`, digested under `key` (the active key if nil).
    public func event(
        _ kind: AuditEventKind,
        orderNumber: String?,
        detail: String? = nil,
        key: Keyring.Key? = nil,
        at date: Date? = nil
    ) -> AuditEvent {
        let key = key ?? keyring.keyring.active
        return AuditEvent(
            at: date ?? clock.now(),
            kind: kind,
            orderDigest: orderNumber.map { Digests.order($0, key: key) },
            kid: orderNumber == nil ? nil : key.kid,
            detail: detail
        )
    }

    /// Records an event. A failure is logged and counted, not thrown: the
    /// action it describes has already happened.
    public func record(_ kind: AuditEventKind, orderNumber: String?, detail: String? = nil) async {
        do {
            try await trail.record(event(kind, orderNumber: orderNumber, detail: detail))
        } catch {
            metrics.count(.auditWriteFailures)
            logger.error("audit event not recorded", metadata: ["kind": "\(kind.rawValue)", "reason": "\(error)"])
        }
    }
}

public import GuestAccessCore
public import Logging

/// `POST /v1/admin/orders/{orderNumber}/revoke`: ends every access to an
/// order — its tracking tokens, its code, its pending code requests and
/// every access token issued so far — in one store transaction
/// (`AccessCodeStore.revokeOrder`).
public struct RevokeOrder<Codes: AccessCodeStore>: Sendable {
    let codes: Codes
    let clock: any WallClock
    let audit: AuditLog

    public func callAsFunction(orderNumber: String, logger: Logger) async throws(UseCaseError) {
        guard OrderNumber.isWellFormed(orderNumber) else { throw .invalidRequest("orderNumber is not well-formed.") }
        do {
            let clock = clock
            try await codes.revokeOrder(orderNumber) { clock.now() }
        } catch {
            logger.error("order revoke failed", metadata: ["reason": "\(error)"])
            throw .unavailable
        }
        await audit.record(.orderRevoked, orderNumber: orderNumber)
        logger.info("order access revoked")
    }
}

import Foundation
public import GuestAccessCore
import GuestAccessCrypto
public import Logging

/// `DELETE /v1/guest/token`: the access token stops working at once, on
/// every request after this one, until it would have expired anyway.
public struct SignOut<Revocations: AccessTokenRevocationStore>: Sendable {
    let authenticator: AccessTokenAuthenticator<Revocations>
    let revocations: Revocations
    let clock: any WallClock
    let audit: AuditLog

    public func callAsFunction(accessToken: String?, logger: Logger) async throws(UseCaseError) {
        let claims = try await authenticator.claims(accessToken, logger: logger)
        do {
            try await revocations.revoke(
                jti: claims.jti,
                expiresAt: Date(timeIntervalSince1970: TimeInterval(claims.exp + 60)),
                now: clock.now()
            )
        } catch {
            logger.error("sign-out could not be recorded", metadata: ["reason": "\(error)"])
            throw .unavailable
        }
        await audit.record(.tokenRevoked, orderNumber: claims.sub, detail: "sign-out")
        logger.info("access token signed out")
    }
}

public import GuestAccessCore
public import GuestAccessCrypto
public import Logging

/// Accepts an access token or refuses it with one `unauthorized`, whatever
/// was wrong (missing, malformed, bad signature, retired key, expired,
/// signed out, order revoked); the reason goes only to the log and metrics.
@usableFromInline struct AccessTokenAuthenticator<Revocations: AccessTokenRevocationStore>: Sendable {
    @usableFromInline let issuer: AccessTokenIssuer
    @usableFromInline let keyring: KeyringHolder
    @usableFromInline let revocations: Revocations
    @usableFromInline let clock: any WallClock
    @usableFromInline let metrics: ServiceMetrics

    @inlinable func claims(_ token: String?, logger: Logger) async throws(UseCaseError) -> AccessTokenClaims {
        guard let token else {
            metrics.count(.accessTokensRefused, [(.reason, "missing")])
            throw .unauthorized
        }
        do {
            return try await issuer.authenticate(
                token,
                keyring: keyring.keyring,
                now: clock.now(),
                revocations: revocations
            )
        } catch let error as AccessTokenError {
            if error == .unknownKey, let kid = AccessTokenCodec.kid(of: token), keyring.keyring.neverHeld(kid: kid) {
                keyring.noteUnknown(kid: kid, source: .accessToken, logger: logger)
            }
            logger.info("access token refused", metadata: ["reason": "\(error)"])
            metrics.count(.accessTokensRefused, [(.reason, "\(error)")])
            throw .unauthorized
        } catch {
            logger.error("access token check failed", metadata: ["reason": "\(error)"])
            throw .unavailable
        }
    }
}

public import Foundation
public import GuestAccessCore
public import GuestAccessCrypto

/// Issues and authenticates order-scoped access tokens (HS256 JWS, `kid` in
/// the header) against the live keyring, the revocation store and order
/// revocations.
public struct AccessTokenIssuer: Sendable {
    @usableFromInline let policy: AccessTokenPolicy

    public init(policy: AccessTokenPolicy) { self.policy = policy }

    public var ttlSeconds: Int { policy.ttlSeconds }

    /// A new token for `orderNumber`, signed with the active key.
    public func issue(orderNumber: String, keyring: Keyring, now: Date) -> String {
        let iat = Int64(now.timeIntervalSince1970)
        let claims = AccessTokenClaims(
            iss: policy.issuer,
            aud: policy.audience,
            sub: orderNumber,
            scope: AccessTokenClaims.orderReadScope,
            iat: iat,
            exp: iat + Int64(policy.ttlSeconds),
            jti: Base64URL.encode(SecureRandom.bytes(16))
        )
        return AccessTokenCodec.sign(claims, keyring: keyring)
    }

    /// The claims of a valid token: signature, time, issuer, audience, scope,
    /// then `jti` revocation and the order's revocation time.
    @inlinable public func authenticate(
        _ token: String,
        keyring: Keyring,
        now: Date,
        revocations: some AccessTokenRevocationStore
    ) async throws -> AccessTokenClaims {
        let claims = try AccessTokenCodec.verifySignature(token, keyring: keyring)
        try claims.verify(issuer: policy.issuer, audience: policy.audience, now: now, leeway: Int64(policy.leewaySeconds))
        guard OrderNumber.isWellFormed(claims.sub) else { throw AccessTokenError.malformed }
        let standing = try await revocations.standing(jti: claims.jti, orderNumber: claims.sub)
        if standing.refuses(issuedAt: claims.iat) { throw AccessTokenError.revoked }
        return claims
    }
}

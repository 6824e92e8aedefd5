public import Foundation

/// The claims of an order-scoped access token. Small on purpose: the token
/// grants exactly one thing (`order:read` of one order) for a short time.
public struct AccessTokenClaims: Codable, Sendable, Equatable {
    public static let orderReadScope = "order:read"

    public let iss: String
    public let aud: String
    /// The order number the token is scoped to.
    public let sub: String
    public let scope: String
    /// Seconds since 1970.
    public let iat: Int64
    public let exp: Int64
    /// 128 random bits, base64url: the handle for sign-out and revocation.
    public let jti: String

    public init(iss: String, aud: String, sub: String, scope: String, iat: Int64, exp: Int64, jti: String) {
        self.iss = iss
        self.aud = aud
        self.sub = sub
        self.scope = scope
        self.iat = iat
        self.exp = exp
        self.jti = jti
    }

    /// Checks time, issuer, audience and scope; signature and revocation are checked elsewhere.
    public func verify(issuer: String, audience: String, now: Date, leeway: Int64) throws(AccessTokenError) {
        let current = Int64(now.timeIntervalSince1970)
        guard current < exp + leeway else { throw .expired }
        guard iat <= current + leeway else { throw .notYetValid }
        guard iss == issuer else { throw .wrongIssuer }
        guard aud == audience else { throw .wrongAudience }
        guard scope == Self.orderReadScope else { throw .wrongScope }
        guard Base64URL.isCanonical(jti, byteCount: 16) else { throw .malformed }
    }
}

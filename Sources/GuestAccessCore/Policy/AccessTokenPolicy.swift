/// Order-scoped access tokens (JWS HS256).
public struct AccessTokenPolicy: Sendable, Equatable, Encodable {
    /// Lifetime; the contract fixes 1800.
    public var ttlSeconds: Int
    /// Clock skew allowed on `exp`, at most 30 s.
    public var leewaySeconds: Int
    public var issuer: String
    public var audience: String

    public init(ttlSeconds: Int, leewaySeconds: Int, issuer: String, audience: String) {
        self.ttlSeconds = ttlSeconds
        self.leewaySeconds = leewaySeconds
        self.issuer = issuer
        self.audience = audience
    }
}

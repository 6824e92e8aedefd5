public import Foundation

/// What the stores hold against one access token: whether its `jti` was
/// signed out, and when its order's access was last revoked. Both come from
/// one read, so a re-fetch pays for one lookup, not two.
public struct AccessTokenStanding: Sendable, Equatable {
    /// The token's `jti` is among the signed-out ones.
    public var signedOut: Bool
    /// When the order's access was last revoked, if ever.
    public var orderRevokedAt: Date?

    public init(signedOut: Bool, orderRevokedAt: Date?) {
        self.signedOut = signedOut
        self.orderRevokedAt = orderRevokedAt
    }

    /// Whether a token issued at `issuedAt` (seconds since 1970) is refused:
    /// signed out, or issued no later than the order's revocation (a token
    /// issued in the revocation's own second is refused too).
    public func refuses(issuedAt: Int64) -> Bool {
        if signedOut { return true }
        guard let orderRevokedAt else { return false }
        return Double(issuedAt) <= orderRevokedAt.timeIntervalSince1970
    }
}

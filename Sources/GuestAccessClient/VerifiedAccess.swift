public import GuestAccessCore

/// A successful `orders.verifyAccessCode`: the full order and a short-lived
/// token scoped to it, for `orders.getByAccessToken` and `orders.signOut`.
public struct VerifiedAccess: Decodable, Sendable, Equatable {
    public let accessToken: String
    public let tokenType: String
    /// Seconds the access token is valid (1800 by default).
    public let expiresIn: Int
    public let order: OrderDetail
}

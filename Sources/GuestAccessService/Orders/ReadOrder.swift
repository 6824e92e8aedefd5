public import GuestAccessCore
import GuestAccessCrypto
public import Logging

/// `GET /v1/guest/order`: the full order again, for the holder of a valid
/// access token (until it expires, is signed out, or the order is revoked).
public struct ReadOrder<Revocations: AccessTokenRevocationStore, Orders: TrackingTokenStore, Provider: OrderDetailProvider>:
    Sendable
{
    let authenticator: AccessTokenAuthenticator<Revocations, Orders>
    let orders: OrderLookup<Provider>

    /// Throws `unauthorized` for any token not accepted, `notFound` when the
    /// provider no longer knows the order, `unavailable` on an outage.
    public func callAsFunction(accessToken: String?, logger: Logger) async throws(UseCaseError) -> OrderDetail {
        try await withExpiry(accessToken: accessToken, logger: logger).order
    }

    /// The order and when the token expires (seconds since 1970): the pages
    /// give the session cookie that lifetime again with each order page.
    public func withExpiry(accessToken: String?, logger: Logger) async throws(UseCaseError) -> (order: OrderDetail, expiresAt: Int64) {
        let claims = try await authenticator.claims(accessToken, logger: logger)
        return (try await orders.order(claims.sub), claims.exp)
    }
}

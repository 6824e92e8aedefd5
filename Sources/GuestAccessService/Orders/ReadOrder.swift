public import Foundation
public import GuestAccessCore
public import GuestAccessCrypto
public import Logging

/// `GET /v1/guest/order`: the full order again, for the holder of a valid
/// access token (until it expires, is signed out, or the order is revoked).
public struct ReadOrder<Revocations: AccessTokenRevocationStore, Provider: OrderDetailProvider>:
    Sendable
{
    @usableFromInline let authenticator: AccessTokenAuthenticator<Revocations>
    @usableFromInline let orders: OrderLookup<Provider>

    /// Throws `unauthorized` for any token not accepted, `notFound` when the
    /// provider no longer knows the order, `unavailable` on an outage.
    @inlinable public func callAsFunction(accessToken: String?, logger: Logger) async throws(UseCaseError) -> OrderDetail {
        try await withLifetime(accessToken: accessToken, logger: logger).order
    }

    /// The order and how many seconds the token has left (by the service's
    /// clock): the pages give their page cookie that lifetime.
    @inlinable public func withLifetime(
        accessToken: String?,
        logger: Logger
    ) async throws(UseCaseError) -> (order: OrderDetail, secondsLeft: Int) {
        let claims = try await authenticator.claims(accessToken, logger: logger)
        let order = try await orders.order(claims.sub)
        let now = Int64(authenticator.clock.now().timeIntervalSince1970)
        return (order, Int(max(0, min(claims.exp - now, Int64(Int32.max)))))
    }
}

public import Foundation

/// Signed-out access tokens, by `jti`, kept until they would have expired.
public protocol AccessTokenRevocationStore: Sendable {
    /// Records the sign-out; entries that expired before `now` may be pruned meanwhile.
    func revoke(jti: String, expiresAt: Date, now: Date) async throws(StoreError)
    /// Whether `jti` is signed out and when `orderNumber`'s access was last
    /// revoked (`TrackingTokenStore.revokeOrder`), read together in one
    /// statement: every re-fetch asks both.
    func standing(jti: String, orderNumber: String) async throws(StoreError) -> AccessTokenStanding
}

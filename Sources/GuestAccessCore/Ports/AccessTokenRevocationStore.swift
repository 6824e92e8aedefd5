public import Foundation

/// Signed-out access tokens, by `jti`, kept until they would have expired.
public protocol AccessTokenRevocationStore: Sendable {
    /// Records the sign-out; entries that expired before `now` may be pruned meanwhile.
    func revoke(jti: String, expiresAt: Date, now: Date) async throws(StoreError)
    func isRevoked(jti: String) async throws(StoreError) -> Bool
}

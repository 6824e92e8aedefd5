import Foundation

/// Signed-out access tokens, by `jti`, kept until they would have expired.
public protocol AccessTokenRevocationStore: Sendable {
    func revoke(jti: String, expiresAt: Date) async throws(StoreError)
    func isRevoked(jti: String) async throws(StoreError) -> Bool
}

public import Foundation

/// Durable storage of tracking-token digests and order revocations.
public protocol TrackingTokenStore: Sendable {
    /// Stores a newly minted token's record.
    func insert(_ record: TrackingTokenRecord) async throws(StoreError)
    /// The record for a digest, live or not, or nil.
    func find(digest: [UInt8]) async throws(StoreError) -> TrackingTokenRecord?
    /// Revokes every tracking token of the order and records the revocation time,
    /// so later checks can refuse anything issued before it (read back with a
    /// token's sign-out: `AccessTokenRevocationStore.standing`).
    func revokeOrder(_ orderNumber: String, at date: Date) async throws(StoreError)
}

/// One storage backend's adapters for every store port, chosen together at
/// start (SQLite today): the use cases are generic over it, so a request path
/// calls concrete stores, never existentials.
public protocol GuestAccessStores: Sendable {
    associatedtype Tracking: TrackingTokenStore
    associatedtype Codes: AccessCodeStore
    associatedtype Queue: CodeRequestQueue
    associatedtype Revocations: AccessTokenRevocationStore

    var tracking: Tracking { get }
    var codes: Codes { get }
    var queue: Queue { get }
    var revocations: Revocations { get }
    /// Recorded off the timed paths only (see `AuditLog`), so an existential.
    var audit: any AuditTrail { get }
}

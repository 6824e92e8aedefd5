public import GuestAccessCore

/// Every store port on one PostgreSQL database, shared by all replicas.
public struct PostgresStores: GuestAccessStores {
    public let tracking: PostgresTrackingTokenStore
    public let codes: PostgresAccessCodeStore
    public let queue: PostgresCodeRequestQueue
    public let revocations: PostgresAccessTokenRevocationStore
    public let audit: any AuditTrail

    public init(database: PostgresDatabase) {
        tracking = PostgresTrackingTokenStore(database: database)
        codes = PostgresAccessCodeStore(database: database)
        queue = PostgresCodeRequestQueue(database: database)
        revocations = PostgresAccessTokenRevocationStore(database: database)
        audit = PostgresAuditTrail(database: database)
    }
}

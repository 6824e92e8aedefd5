public import GuestAccessCore

/// Every store port on one SQLite database.
public struct SQLiteStores: GuestAccessStores {
    public let tracking: SQLiteTrackingTokenStore
    public let codes: SQLiteAccessCodeStore
    public let queue: SQLiteCodeRequestQueue
    public let revocations: SQLiteAccessTokenRevocationStore
    public let audit: any AuditTrail

    public init(database: GuestAccessDatabase) {
        tracking = SQLiteTrackingTokenStore(database: database)
        codes = SQLiteAccessCodeStore(database: database)
        queue = SQLiteCodeRequestQueue(database: database)
        revocations = SQLiteAccessTokenRevocationStore(database: database)
        audit = SQLiteAuditTrail(database: database)
    }
}

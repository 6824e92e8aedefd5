public import Foundation
import GRDB
public import GuestAccessCore

/// `TrackingTokenStore` on the service's SQLite database.
public struct SQLiteTrackingTokenStore: TrackingTokenStore {
    let database: GuestAccessDatabase

    public init(database: GuestAccessDatabase) { self.database = database }

    public func insert(_ record: TrackingTokenRecord) async throws(StoreError) {
        try await database.write { db in
            try db.cachedStatement(
                sql: """
                    INSERT INTO tracking_tokens (digest, order_number, created_at_ms, expires_at_ms, revoked_at_ms)
                    VALUES (?, ?, ?, ?, NULL)
                    """
            ).execute(arguments: [
                Data(record.digest), record.orderNumber, record.createdAt.millisecondsSince1970,
                record.expiresAt.millisecondsSince1970,
            ])
        }
    }

    public func find(digest: [UInt8]) async throws(StoreError) -> TrackingTokenRecord? {
        try database.lookup { db -> TrackingTokenRecord? in
            try PointRow.fetch(
                db.cachedStatement(
                    sql: """
                        SELECT t.order_number, t.created_at_ms, t.expires_at_ms,
                               COALESCE(t.revoked_at_ms,
                                        (SELECT r.revoked_at_ms FROM order_revocations r
                                         WHERE r.order_number = t.order_number AND r.revoked_at_ms >= t.created_at_ms)) AS revoked
                        FROM tracking_tokens t WHERE t.digest = ?
                        """
                ),
                key: .blob(digest)
            ) { row in
                TrackingTokenRecord(
                    digest: digest,
                    orderNumber: row.text(0),
                    createdAt: Date(millisecondsSince1970: row.int64(1)),
                    expiresAt: Date(millisecondsSince1970: row.int64(2)),
                    revokedAt: row.optionalInt64(3).map(Date.init(millisecondsSince1970:))
                )
            }
        }
    }

    public func revokeOrder(_ orderNumber: String, at date: Date) async throws(StoreError) {
        try await database.write { db in try Self.revoke(orderNumber, atMilliseconds: date.millisecondsSince1970, in: db) }
    }

    /// Revokes the order's tracking tokens and records the revocation time,
    /// inside the caller's transaction (the admin revoke runs it with the
    /// code store's statements in one).
    static func revoke(_ orderNumber: String, atMilliseconds ms: Int64, in db: Database) throws {
        try db.cachedStatement(sql: "UPDATE tracking_tokens SET revoked_at_ms = ? WHERE order_number = ? AND revoked_at_ms IS NULL")
            .execute(arguments: [ms, orderNumber])
        try db.cachedStatement(
            sql: """
                INSERT INTO order_revocations (order_number, revoked_at_ms) VALUES (?, ?)
                ON CONFLICT(order_number) DO UPDATE SET revoked_at_ms = max(revoked_at_ms, excluded.revoked_at_ms)
                """
        ).execute(arguments: [orderNumber, ms])
    }
}

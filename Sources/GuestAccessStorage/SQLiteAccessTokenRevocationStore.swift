public import Foundation
import GRDB
public import GuestAccessCore

/// `AccessTokenRevocationStore` on the service's SQLite database; expired
/// entries are pruned as new ones arrive.
public struct SQLiteAccessTokenRevocationStore: AccessTokenRevocationStore {
    let database: GuestAccessDatabase

    public init(database: GuestAccessDatabase) { self.database = database }

    public func revoke(jti: String, expiresAt: Date, now date: Date) async throws(StoreError) {
        let now = date.millisecondsSince1970
        try await database.write { db in
            try db.cachedStatement(sql: "DELETE FROM revoked_access_tokens WHERE expires_at_ms < ?").execute(arguments: [now - 60_000])
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO revoked_access_tokens (jti, expires_at_ms) VALUES (?, ?)").execute(
                arguments: [jti, expiresAt.millisecondsSince1970])
        }
    }

    public func standing(jti: String, orderNumber: String) async throws(StoreError) -> AccessTokenStanding {
        let standing = try database.lookup { db in
            try PointRow.fetch(
                db.cachedStatement(
                    sql: """
                        SELECT EXISTS (SELECT 1 FROM revoked_access_tokens WHERE jti = ?1),
                               (SELECT revoked_at_ms FROM order_revocations WHERE order_number = ?2)
                        """
                ),
                keys: .text(jti),
                .text(orderNumber)
            ) { row in
                AccessTokenStanding(
                    signedOut: row.int64(0) != 0,
                    orderRevokedAt: row.optionalInt64(1).map(Date.init(millisecondsSince1970:))
                )
            }
        }
        // A SELECT without FROM always yields its one row; none means the read failed: refuse.
        guard let standing else { throw StoreError.unavailable(reason: "the revocation read returned no row") }
        return standing
    }
}

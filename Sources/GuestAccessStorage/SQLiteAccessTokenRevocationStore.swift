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

    public func isRevoked(jti: String) async throws(StoreError) -> Bool {
        try database.lookup { db in
            try PointRow.fetch(
                db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM revoked_access_tokens WHERE jti = ?)"),
                key: .text(jti)
            ) { row in row.int64(0) != 0 } ?? false
        }
    }
}

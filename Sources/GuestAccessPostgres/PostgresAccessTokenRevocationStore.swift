public import Foundation
public import GuestAccessCore
import PostgresNIO

/// `AccessTokenRevocationStore` on PostgreSQL: a sign-out on one replica is
/// refused by every replica from the next request on.
public struct PostgresAccessTokenRevocationStore: AccessTokenRevocationStore {
    let database: PostgresDatabase

    public init(database: PostgresDatabase) { self.database = database }

    public func revoke(jti: String, expiresAt: Date, now: Date) async throws(StoreError) {
        try await database.transaction { connection in
            try await connection.query(
                "DELETE FROM revoked_access_tokens WHERE expires_at_ms < \(now.millisecondsSince1970 - 60_000)",
                logger: database.logger
            )
            try await connection.query(
                """
                INSERT INTO revoked_access_tokens (jti, expires_at_ms) VALUES (\(jti), \(expiresAt.millisecondsSince1970))
                ON CONFLICT (jti) DO NOTHING
                """,
                logger: database.logger
            )
        }
    }

    public func standing(jti: String, orderNumber: String) async throws(StoreError) -> AccessTokenStanding {
        try await database.connection { connection in
            let rows = try await connection.query(
                """
                SELECT EXISTS (SELECT 1 FROM revoked_access_tokens WHERE jti = \(jti)),
                       (SELECT revoked_at_ms FROM order_revocations WHERE order_number = \(orderNumber))
                """,
                logger: database.logger
            )
            for try await (signedOut, revokedAt) in rows.decode((Bool, Int64?).self) {
                return AccessTokenStanding(signedOut: signedOut, orderRevokedAt: revokedAt.map(Date.init(millisecondsSince1970:)))
            }
            // A SELECT without FROM always yields its one row; none means the read failed: refuse.
            throw StoreError.unavailable(reason: "the revocation read returned no row")
        }
    }
}

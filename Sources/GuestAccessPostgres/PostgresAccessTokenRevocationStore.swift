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

    public func isRevoked(jti: String) async throws(StoreError) -> Bool {
        try await database.connection { connection in
            let rows = try await connection.query(
                "SELECT EXISTS (SELECT 1 FROM revoked_access_tokens WHERE jti = \(jti))",
                logger: database.logger
            )
            for try await revoked in rows.decode(Bool.self) { return revoked }
            return false
        }
    }
}

public import Foundation
public import GuestAccessCore
import Logging
import PostgresNIO

/// `TrackingTokenStore` on PostgreSQL: a token minted on one replica
/// resolves on every other, and a revoke is seen by all at once.
public struct PostgresTrackingTokenStore: TrackingTokenStore {
    let database: PostgresDatabase

    public init(database: PostgresDatabase) { self.database = database }

    /// Dated by the earlier of this replica's clock and the database's, so
    /// a token whose mint raced a revoke committed on another replica is
    /// covered by it even when this replica's clock runs ahead.
    public func insert(_ record: TrackingTokenRecord) async throws(StoreError) {
        try await database.connection { connection in
            try await connection.query(
                """
                INSERT INTO tracking_tokens (digest, order_number, created_at_ms, expires_at_ms, revoked_at_ms)
                VALUES (\(Data(record.digest)), \(record.orderNumber),
                    LEAST(\(record.createdAt.millisecondsSince1970), \(unescaped: PostgresClock.nowMilliseconds)),
                    \(record.expiresAt.millisecondsSince1970), NULL)
                """,
                logger: database.logger
            )
        }
    }

    public func find(digest: [UInt8]) async throws(StoreError) -> TrackingTokenRecord? {
        try await database.connection { connection -> TrackingTokenRecord? in
            let rows = try await connection.query(
                """
                SELECT t.order_number, t.created_at_ms, t.expires_at_ms,
                       COALESCE(t.revoked_at_ms,
                                (SELECT r.revoked_at_ms FROM order_revocations r
                                 WHERE r.order_number = t.order_number AND r.revoked_at_ms >= t.created_at_ms))
                FROM tracking_tokens t WHERE t.digest = \(Data(digest))
                """,
                logger: database.logger
            )
            for try await (orderNumber, created, expires, revoked) in rows.decode((String, Int64, Int64, Int64?).self) {
                return TrackingTokenRecord(
                    digest: digest,
                    orderNumber: orderNumber,
                    createdAt: Date(millisecondsSince1970: created),
                    expiresAt: Date(millisecondsSince1970: expires),
                    revokedAt: revoked.map(Date.init(millisecondsSince1970:))
                )
            }
            return nil
        }
    }

    public func revokeOrder(_ orderNumber: String, at date: Date) async throws(StoreError) {
        try await database.transaction { connection in
            try await Self.revoke(orderNumber, atMilliseconds: date.millisecondsSince1970, on: connection, logger: database.logger)
        }
    }

    /// Revokes the order's tracking tokens and records the revocation time,
    /// inside the caller's transaction.
    static func revoke(_ orderNumber: String, atMilliseconds ms: Int64, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            "UPDATE tracking_tokens SET revoked_at_ms = \(ms) WHERE order_number = \(orderNumber) AND revoked_at_ms IS NULL",
            logger: logger
        )
        try await connection.query(
            """
            INSERT INTO order_revocations (order_number, revoked_at_ms) VALUES (\(orderNumber), \(ms))
            ON CONFLICT (order_number) DO UPDATE SET revoked_at_ms = GREATEST(order_revocations.revoked_at_ms, excluded.revoked_at_ms)
            """,
            logger: logger
        )
    }
}

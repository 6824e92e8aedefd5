import Logging
import PostgresNIO

/// The per-order transaction lock every code-store write takes first, on
/// every replica: verify attempts, storing, restoring and invalidating a
/// code, finishing a queued request, and the admin revoke of one order run
/// one at a time, so an attempt is counted against what the previous one
/// left, across the fleet, and no two of them wait on each other's rows. Orders
/// whose numbers hash alike share a lock, which costs only waiting. An
/// unknown order takes its own lock like any other, so the path is the same.
enum OrderLock {
    static func take(_ orderNumber: String, on connection: PostgresConnection, logger: Logger) async throws {
        // The order's 64-bit hash, the key replicas have always used (so replicas of earlier
        // builds, mid-rollout, still exclude these). The two hashes that would land on the
        // claim or migration lock are moved off them, so no order number, however chosen,
        // takes either of those.
        try await connection.query(
            """
            SELECT pg_advisory_xact_lock(CASE WHEN key IN (\(PostgresCodeRequestQueue.claimLock), \(PostgresDatabase.migrationLock))
                THEN key # 1 ELSE key END)
            FROM (SELECT hashtextextended(\(orderNumber), 7) AS key) AS hashed
            """,
            logger: logger
        )
    }
}

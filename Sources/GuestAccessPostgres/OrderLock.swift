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
        // One row, once the lock is held (`OrderLockStatement`).
        for try await _ in try await connection.execute(OrderLockStatement(orderNumber: orderNumber), logger: logger) {}
    }
}

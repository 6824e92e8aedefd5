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
    /// "go" (guest-access orders): the first key of every order lock.
    static let namespace: Int32 = 0x676F
    static func take(_ orderNumber: String, on connection: PostgresConnection, logger: Logger) async throws {
        // Two 32-bit keys (a namespace and the order's hash): a key space PostgreSQL keeps
        // apart from the single 64-bit keys of the claim and migration locks, so no order
        // number, however chosen, hashes onto them.
        try await connection.query("SELECT pg_advisory_xact_lock(\(Self.namespace), hashtext(\(orderNumber)))", logger: logger)
    }
}

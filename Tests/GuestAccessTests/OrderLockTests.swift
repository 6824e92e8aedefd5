import Logging
import PostgresNIO
import Testing

@testable import GuestAccessPostgres

/// The order lock's key: replicas of different builds on one database must
/// exclude each other, so the key is the one every build has used.
@Suite("PostgreSQL order lock")
struct OrderLockTests {
    @Test("The order lock is the transaction advisory lock on the order number's 64-bit hash (seed 7), as earlier builds take it")
    func theKeyIsTheOneEarlierBuildsUse() async throws {
        try await StorePortTests.withPostgresStores { _, url in
            let held = try await TestPostgres.withConnection(url) { connection in
                try await connection.query("BEGIN", logger: Logger(label: "test"))
                try await OrderLock.take("ORD-2026-0042", on: connection, logger: Logger(label: "test"))
                let rows = try await connection.query(
                    """
                    SELECT ((classid::bigint << 32) | objid::bigint) = hashtextextended('ORD-2026-0042', 7)
                    FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND objsubid = 1
                    """,
                    logger: Logger(label: "test")
                )
                var matches: [Bool] = []
                for try await match in rows.decode(Bool.self) { matches.append(match) }
                try await connection.query("COMMIT", logger: Logger(label: "test"))
                return matches
            }
            #expect(held == [true])
        }
    }
}

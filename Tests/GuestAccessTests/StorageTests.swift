import Foundation
import GuestAccessCore
import GuestAccessHTTP
import GuestAccessPolicy
import GuestAccessStorage
import Testing

@testable import GuestAccessServer
@testable import GuestAccessService

@Suite("SQLite storage")
struct StorageTests {
    private func database() throws -> GuestAccessDatabase {
        try GuestAccessDatabase(path: TestEnvironment.temporaryDirectory() + "/" + GuestAccessDatabase.fileName, synchronous: .full)
    }

    @Test("The database runs in WAL mode with its named migrations applied and passes integrity_check")
    func walAndMigrations() async throws {
        let db = try database()
        #expect(try await db.journalMode() == "wal")
        #expect(
            try await db.appliedMigrations() == [
                "v1-tracking-tokens", "v2-access-codes", "v3-lifetime-failure-budget", "v4-verify-write-nonce", "v5-audit-events",
                "v6-reset-decoy-rows", "v7-code-request-turns", "v8-audit-folding",
                "v9-code-request-fair-turns", "v10-code-request-twins", "v11-code-request-language",
            ]
        )
        #expect(try await db.integrityCheck() == "ok")
        #expect(await db.isReachable())
    }

    @Test("Opening a database in a missing directory fails with a storage error, not a crash")
    func unopenable() {
        #expect(throws: StoreError.self) { try GuestAccessDatabase(path: "/nonexistent-dir/x/db.sqlite", synchronous: .full) }
    }
}

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
                "v9-code-request-fair-turns", "v10-code-request-twins",
            ]
        )
        #expect(try await db.integrityCheck() == "ok")
        #expect(await db.isReachable())
    }

    @Test("Tracking tokens stop resolving at expiry and at revocation; tokens minted after a revocation work")
    func expiryAndRevocation() async throws {
        let clock = TestClock()
        let store = SQLiteTrackingTokenStore(database: try database())
        let tokens = TrackingTokens(store: store, clock: clock, ttlDays: 1)
        let first = try await tokens.mint(orderNumber: "ORD-1")
        #expect(try await tokens.resolve(first) == "ORD-1")
        clock.advance(by: 86399)
        #expect(try await tokens.resolve(first) == "ORD-1")
        clock.advance(by: 2)
        #expect(try await tokens.resolve(first) == nil)

        let second = try await tokens.mint(orderNumber: "ORD-2")
        let other = try await tokens.mint(orderNumber: "ORD-3")
        clock.advance(by: 1)
        try await store.revokeOrder("ORD-2", at: clock.now())
        #expect(try await tokens.resolve(second) == nil)
        #expect(try await tokens.resolve(other) == "ORD-3")
        #expect(
            try await store.revocationTime(of: "ORD-2")
                == Date(timeIntervalSince1970: (clock.now().timeIntervalSince1970 * 1000).rounded(.down) / 1000)
        )
        clock.advance(by: 1)
        let third = try await tokens.mint(orderNumber: "ORD-2")
        #expect(try await tokens.resolve(third) == "ORD-2")
        #expect(try await tokens.resolve("gt_" + String(repeating: "A", count: 32)) == nil)
        #expect(try await tokens.resolve(String(third.dropLast())) == nil)
    }

    @Test("Opening a database in a missing directory fails with a storage error, not a crash")
    func unopenable() {
        #expect(throws: StoreError.self) { try GuestAccessDatabase(path: "/nonexistent-dir/x/db.sqlite", synchronous: .full) }
    }
}

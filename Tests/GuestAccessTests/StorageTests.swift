import Foundation
import GuestAccessCore
import GuestAccessHTTP
import GuestAccessPolicy
import Testing

@testable import GuestAccessServer
@testable import GuestAccessService
@testable import GuestAccessStorage

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

    @Test("The delivery worker's bookkeeping commits leave the writer at the policy's synchronous, also when one fails")
    func bookkeepingRestoresSynchronous() async throws {
        let db = try database()
        let queue = SQLiteCodeRequestQueue(database: db)
        try await queue.enqueue(
            orderNumber: "ORD-1",
            emailDigest: [UInt8](repeating: 1, count: 32),
            emailKid: "k",
            clientDigest: [1],
            language: .en,
            at: Date(),
            audit: AuditEvent(at: Date(), kind: .codeRequested)
        )
        let request = try #require(try await queue.claimNext(at: Date(), lease: 60))
        #expect(try await db.writerSynchronous() == 2)  // FULL
        try await queue.reschedule(request, to: Date(), countsAttempt: false)
        #expect(try await db.writerSynchronous() == 2)
        let again = try #require(try await queue.claimNext(at: Date(), lease: 60))
        _ = try await queue.finish(again, outcome: .noOrder, event: AuditEvent(at: Date(), kind: .codeNotSent))
        #expect(try await db.writerSynchronous() == 2)
        struct Refused: Error {}
        await #expect(throws: StoreError.self) { try await db.writeImmediate(.bookkeeping) { _ in throw Refused() } }
        #expect(try await db.writerSynchronous() == 2)
    }

    @Test("Opening a database in a missing directory fails with a storage error, not a crash")
    func unopenable() {
        #expect(throws: StoreError.self) { try GuestAccessDatabase(path: "/nonexistent-dir/x/db.sqlite", synchronous: .full) }
    }
}

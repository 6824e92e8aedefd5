import Foundation
import GuestAccessCore
import GuestAccessPolicy
import GuestAccessStorage
import Synchronization
import Testing

@testable import GuestAccessService

/// A revoke takes its time inside its own write transaction, so a verify that
/// committed before it always began earlier, and the token it issued is refused.
@Suite("Revoke against a verify in flight")
struct RevokeRaceTests {
    @Test("The revocation time is read after every verify that committed before the revoke, even one that held the write lock long")
    func revocationTimeFollowsEarlierCommits() async throws {
        let directory = try TestEnvironment.temporaryDirectory()
        let database = try GuestAccessDatabase(path: directory + "/" + GuestAccessDatabase.fileName, synchronous: .full)
        let store = SQLiteAccessCodeStore(database: database)
        let decidedAt = Mutex<Date?>(nil)
        let revokedAt = Mutex<Date?>(nil)
        let holdingLock = Mutex<Bool>(false)
        let verify = Task {
            try await store.attempt(orderNumber: "ORD-1", audit: AuditEvent(at: Date(), kind: .verifyFailed)) { code, budget in
                holdingLock.withLock { $0 = true }
                Thread.sleep(forTimeInterval: 0.4)  // a slow commit: the write lock is held meanwhile
                decidedAt.withLock { $0 = Date() }
                return VerifyDecision(success: false, attempts: code.attempts, used: code.used, budget: budget)
            }
        }
        try await waitUntil("the verify holds the write lock") { holdingLock.withLock { $0 } }
        try await store.revokeOrder("ORD-1") {
            let now = Date()
            revokedAt.withLock { $0 = now }
            return now
        }
        _ = try await verify.value
        let decided = try #require(decidedAt.withLock { $0 })
        let revoked = try #require(revokedAt.withLock { $0 })
        #expect(revoked >= decided)
    }
}

import Foundation
import GRDB
import GuestAccessCore
import GuestAccessPolicy
import GuestAccessStorage
import Testing

@testable import GuestAccessService

/// The code-request queue on SQLite: turns, leases, bulk expiry, and a claim
/// that stays one indexed read however long the queue.
@Suite("The code-request queue")
struct CodeRequestQueueTests {
    static func queue() throws -> (SQLiteCodeRequestQueue, String) {
        let directory = try TestEnvironment.temporaryDirectory()
        let database = try GuestAccessDatabase(path: directory + "/" + GuestAccessDatabase.fileName, synchronous: .normal)
        return (SQLiteCodeRequestQueue(database: database), directory)
    }

    static func enqueue(_ queue: SQLiteCodeRequestQueue, _ number: String, client: UInt8, at date: Date = Date()) async throws {
        try await queue.enqueue(
            orderNumber: number,
            emailDigest: [UInt8](repeating: 1, count: 32),
            emailKid: "k",
            clientDigest: [client],
            language: .en,
            at: date,
            audit: AuditEvent(at: date, kind: .codeRequested)
        )
    }

    /// SQLite's plan for `sql` on a freshly migrated database, one detail line a step.
    static func queryPlan(_ sql: String) throws -> [String] {
        let (_, directory) = try queue()
        return try DatabaseInspector(directory: directory).read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql).map { $0["detail"] as String }
        }
    }

    @Test("A client that queued a thousand requests first is served one turn at a time with a later client, not before it")
    func turnsInterleaveClients() async throws {
        let (queue, _) = try Self.queue()
        for index in 0..<1000 { try await Self.enqueue(queue, "ORD-FLOOD-\(index)", client: 1) }
        try await Self.enqueue(queue, "ORD-SHOPPER", client: 2)
        var claimed: [String] = []
        for _ in 0..<4 {
            let request = try #require(try await queue.claimNext(at: Date(), lease: 60))
            claimed.append(request.orderNumber)
        }
        #expect(claimed.contains("ORD-SHOPPER"))
        #expect(claimed.firstIndex(of: "ORD-SHOPPER")! <= 1)
    }

    @Test("The claim reads the turn index in order: no scan of the pending requests, no sort")
    func claimUsesTheTurnIndex() async throws {
        let plan = try Self.queryPlan(
            """
            SELECT id FROM code_requests AS candidate INDEXED BY code_requests_by_turn
            WHERE outcome IS NULL AND next_attempt_at_ms <= 0 AND lease_until_ms <= 0
            ORDER BY turn, id LIMIT 1
            """
        )
        #expect(plan.contains { $0.contains("code_requests_by_turn") }, "\(plan)")
        #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(plan)")
    }

    @Test("The twin check and the collapse find an order and email's pending rows by index, not by scanning the order's")
    func twinsUseTheirIndex() async throws {
        let plan = try Self.queryPlan(
            """
            SELECT 1 FROM code_requests AS twin
            WHERE twin.outcome IS NULL AND twin.order_number = 'X' AND twin.email_digest = x'01' AND twin.lease_until_ms > 0
            """
        )
        #expect(plan.contains { $0.contains("code_requests_twins") }, "\(plan)")
    }

    @Test("Overdue requests expire in bulk and fold into one audit row")
    func bulkExpiry() async throws {
        let (queue, directory) = try Self.queue()
        let old = Date() - 1200
        for index in 0..<50 { try await Self.enqueue(queue, "ORD-OLD-\(index)", client: UInt8(index % 7), at: old) }
        try await Self.enqueue(queue, "ORD-FRESH", client: 9)
        #expect(try await queue.expire(requestedBefore: Date() - 600, at: Date()) == 50)
        #expect(try await queue.pendingCount() == 1)
        #expect(try await queue.outcomes() == Array(repeating: .expired, count: 50))
        let rows = try DatabaseInspector(directory: directory).read { db in
            try Row.fetchAll(db, sql: "SELECT kind, detail, count FROM audit_events ORDER BY id").map {
                "\($0["kind"] as String)|\($0["detail"] as String? ?? "")|\($0["count"] as Int)"
            }
        }
        #expect(rows == ["code.requested||1", "code.not_sent|expired|50"])
    }

    @Test("Only the worker holding a claim can end it: a stale claim's finish and reschedule change nothing")
    func leaseTokens() async throws {
        let (queue, _) = try Self.queue()
        try await Self.enqueue(queue, "ORD-1", client: 1)
        let first = try #require(try await queue.claimNext(at: Date(), lease: 60))
        try await queue.releaseLeases()
        let second = try #require(try await queue.claimNext(at: Date(), lease: 60))
        #expect(first.id == second.id && first.leaseToken != second.leaseToken)
        let event = AuditEvent(at: Date(), kind: .codeNotSent, detail: "mismatch")
        #expect(try await queue.finish(first, outcome: .mismatch, event: event) == nil)
        try await queue.reschedule(first, to: Date() + 60, countsAttempt: true)
        #expect(try await queue.pendingCount() == 1)
        #expect(try await queue.finish(second, outcome: .mismatch, event: event) == 0)
        #expect(try await queue.pendingCount() == 0)
    }
}

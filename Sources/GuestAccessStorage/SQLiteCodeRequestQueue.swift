import Foundation
import GRDB
import GuestAccessCore

/// `CodeRequestQueue` on the service's SQLite database.
public struct SQLiteCodeRequestQueue: CodeRequestQueue {
    let database: GuestAccessDatabase

    public init(database: GuestAccessDatabase) { self.database = database }

    public func enqueue(
        orderNumber: String, emailDigest: [UInt8], emailKid: String, clientDigest: [UInt8], at date: Date, audit: AuditEvent
    ) async throws(StoreError) {
        let ms = date.millisecondsSince1970
        try await database.write { db in
            try SQLiteAuditTrail.insert(audit, into: db)
            try db.cachedStatement(
                sql: """
                    INSERT INTO code_requests (order_number, email_digest, email_kid, client_digest, requested_at_ms, next_attempt_at_ms,
                        audit_id)
                    VALUES (?, ?, ?, ?, ?, ?, last_insert_rowid())
                    """
            ).execute(arguments: [orderNumber, Data(emailDigest), emailKid, Data(clientDigest), ms, ms])
        }
    }

    public func claimNext(at date: Date, lease: TimeInterval) async throws(StoreError) -> CodeRequest? {
        let now = date.millisecondsSince1970
        // A read first: idle workers poll, and a claim is a write transaction.
        let due = try await database.read { db in
            try Bool.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT EXISTS (SELECT 1 FROM code_requests
                        WHERE outcome IS NULL AND next_attempt_at_ms <= ? AND lease_until_ms <= ?)
                        """),
                arguments: [now, now]) ?? false
        }
        guard due else { return nil }
        return try await database.writeImmediate { db -> CodeRequest? in
            guard
                let row = try Row.fetchOne(
                    db.cachedStatement(
                        sql: """
                            UPDATE code_requests SET lease_until_ms = ?
                            WHERE id = (
                                SELECT id FROM (
                                    SELECT id, order_number, email_digest, next_attempt_at_ms, lease_until_ms,
                                        row_number() OVER (PARTITION BY client_digest ORDER BY id) AS turn
                                    FROM code_requests WHERE outcome IS NULL) AS candidate
                                WHERE next_attempt_at_ms <= ? AND lease_until_ms <= ?
                                    AND NOT EXISTS (
                                        SELECT 1 FROM code_requests AS twin
                                        WHERE twin.outcome IS NULL AND twin.order_number = candidate.order_number
                                            AND twin.email_digest = candidate.email_digest AND twin.lease_until_ms > ?)
                                ORDER BY turn, id LIMIT 1)
                            RETURNING id, order_number, email_digest, email_kid, requested_at_ms, delivery_attempts
                            """),
                    arguments: [now + Int64(lease * 1000), now, now, now])
            else { return nil }
            return CodeRequest(
                id: row["id"], orderNumber: row["order_number"], emailDigest: [UInt8](row["email_digest"] as Data),
                emailKid: row["email_kid"], requestedAt: Date(millisecondsSince1970: row["requested_at_ms"]),
                deliveryAttempts: row["delivery_attempts"])
        }
    }

    public func releaseLeases() async throws(StoreError) {
        try await database.write { db in
            try db.execute(sql: "UPDATE code_requests SET lease_until_ms = 0 WHERE outcome IS NULL AND lease_until_ms <> 0")
        }
    }

    public func reschedule(id: Int64, to date: Date) async throws(StoreError) {
        try await database.write { db in
            try db.cachedStatement(
                sql:
                    "UPDATE code_requests SET next_attempt_at_ms = ?, delivery_attempts = delivery_attempts + 1, lease_until_ms = 0 WHERE id = ?"
            ).execute(arguments: [date.millisecondsSince1970, id])
        }
    }

    @discardableResult
    public func finish(id: Int64, outcome: String, event: AuditEvent) async throws(StoreError) -> Int? {
        try await database.write { db -> Int? in
            guard
                let row = try Row.fetchOne(
                    db.cachedStatement(
                        sql: """
                            UPDATE code_requests SET outcome = ?, lease_until_ms = 0 WHERE id = ? AND outcome IS NULL
                            RETURNING order_number, email_digest, audit_id
                            """),
                    arguments: [outcome, id])
            else { return nil }
            // A twin takes this outcome only when it would have had the same one: not when this
            // request ran out of time or attempts, or its key was retired (the twin may be fresher).
            let collapses = !["expired", "gave-up", "key-retired"].contains(outcome)
            let twins =
                !collapses
                ? []
                : try Int64?.fetchAll(
                    db.cachedStatement(
                        sql: """
                            UPDATE code_requests SET outcome = 'collapsed'
                            WHERE outcome IS NULL AND order_number = ? AND email_digest = ? AND lease_until_ms <= ?
                            RETURNING audit_id
                            """),
                    arguments: [row["order_number"] as String, row["email_digest"] as Data, event.at.millisecondsSince1970])
            var folded = event
            if outcome == "no-order" {
                // Requests for orders that do not exist name no order: one row an hour, however many.
                folded.orderDigest = nil
                folded.kid = nil
            }
            if event.kind == .codeDelivered {
                try SQLiteAuditTrail.insert(event, into: db)
            } else {
                try SQLiteAuditTrail.delete(ids: [row["audit_id"] as Int64?].compactMap { $0 }, from: db)
                try SQLiteAuditTrail.fold(folded, count: 1, into: db)
            }
            if !twins.isEmpty {
                try SQLiteAuditTrail.delete(ids: twins.compactMap { $0 }, from: db)
                var collapsed = folded
                collapsed.kind = .codeNotSent
                collapsed.detail = "collapsed"
                try SQLiteAuditTrail.fold(collapsed, count: twins.count, into: db)
            }
            return twins.count
        }
    }

    public func pruneFinished(before date: Date) async throws(StoreError) -> Int {
        try await database.write { db in
            try db.execute(
                sql: "DELETE FROM code_requests WHERE outcome IS NOT NULL AND requested_at_ms < ?", arguments: [date.millisecondsSince1970])
            return db.changesCount
        }
    }

    public func pendingCount() async throws(StoreError) -> Int {
        try await database.read { db in
            try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM code_requests WHERE outcome IS NULL")) ?? 0
        }
    }

    /// Outcomes of finished requests, oldest first (for tests and operators).
    public func outcomes() async throws(StoreError) -> [String] {
        try await database.read { db in
            try String.fetchAll(db.cachedStatement(sql: "SELECT outcome FROM code_requests WHERE outcome IS NOT NULL ORDER BY id"))
        }
    }
}

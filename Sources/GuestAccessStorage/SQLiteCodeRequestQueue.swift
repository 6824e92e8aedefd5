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
            try db.cachedStatement(
                sql: """
                    INSERT INTO code_requests (order_number, email_digest, email_kid, client_digest, requested_at_ms, next_attempt_at_ms)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """
            ).execute(arguments: [orderNumber, Data(emailDigest), emailKid, Data(clientDigest), ms, ms])
            try SQLiteAuditTrail.insert(audit, into: db)
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
                                    SELECT id, next_attempt_at_ms, lease_until_ms,
                                        row_number() OVER (PARTITION BY client_digest ORDER BY id) AS turn
                                    FROM code_requests WHERE outcome IS NULL)
                                WHERE next_attempt_at_ms <= ? AND lease_until_ms <= ?
                                ORDER BY turn, id LIMIT 1)
                            RETURNING id, order_number, email_digest, email_kid, requested_at_ms, delivery_attempts
                            """),
                    arguments: [now + Int64(lease * 1000), now, now])
            else { return nil }
            let request = CodeRequest(
                id: row["id"], orderNumber: row["order_number"], emailDigest: [UInt8](row["email_digest"] as Data),
                emailKid: row["email_kid"], requestedAt: Date(millisecondsSince1970: row["requested_at_ms"]),
                deliveryAttempts: row["delivery_attempts"])
            try db.cachedStatement(
                sql: """
                    UPDATE code_requests SET outcome = 'collapsed'
                    WHERE outcome IS NULL AND order_number = ? AND email_digest = ? AND id <> ? AND lease_until_ms <= ?
                    """
            ).execute(arguments: [request.orderNumber, Data(request.emailDigest), request.id, now])
            return request
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

    public func finish(id: Int64, outcome: String) async throws(StoreError) {
        try await database.write { db in
            try db.cachedStatement(sql: "UPDATE code_requests SET outcome = ? WHERE id = ? AND outcome IS NULL").execute(arguments: [
                outcome, id,
            ])
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

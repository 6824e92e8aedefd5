import Foundation
import GRDB
import GuestAccessCore

/// `CodeRequestQueue` on the service's SQLite database.
public struct SQLiteCodeRequestQueue: CodeRequestQueue {
    let database: GuestAccessDatabase

    public init(database: GuestAccessDatabase) { self.database = database }

    public func enqueue(
        orderNumber: String, emailDigest: [UInt8], emailKid: String, at date: Date, audit: AuditEvent
    ) async throws(StoreError) {
        let ms = date.millisecondsSince1970
        try await database.write { db in
            try db.cachedStatement(
                sql: """
                    INSERT INTO code_requests (order_number, email_digest, email_kid, requested_at_ms, next_attempt_at_ms)
                    VALUES (?, ?, ?, ?, ?)
                    """
            ).execute(arguments: [orderNumber, Data(emailDigest), emailKid, ms, ms])
            try SQLiteAuditTrail.insert(audit, into: db)
        }
    }

    public func nextDue(at date: Date) async throws(StoreError) -> CodeRequest? {
        try await database.read { db -> CodeRequest? in
            try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT id, order_number, email_digest, email_kid, requested_at_ms, delivery_attempts FROM code_requests
                        WHERE outcome IS NULL AND next_attempt_at_ms <= ? ORDER BY next_attempt_at_ms, id LIMIT 1
                        """),
                arguments: [date.millisecondsSince1970]
            ).map { row in
                CodeRequest(
                    id: row["id"], orderNumber: row["order_number"], emailDigest: [UInt8](row["email_digest"] as Data),
                    emailKid: row["email_kid"], requestedAt: Date(millisecondsSince1970: row["requested_at_ms"]),
                    deliveryAttempts: row["delivery_attempts"])
            }
        }
    }

    public func reschedule(id: Int64, to date: Date) async throws(StoreError) {
        try await database.write { db in
            try db.cachedStatement(
                sql: "UPDATE code_requests SET next_attempt_at_ms = ?, delivery_attempts = delivery_attempts + 1 WHERE id = ?"
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

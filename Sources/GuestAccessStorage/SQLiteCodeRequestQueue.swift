public import Foundation
import GRDB
public import GuestAccessCore

/// `CodeRequestQueue` on the service's SQLite database.
public struct SQLiteCodeRequestQueue: CodeRequestQueue {
    let database: GuestAccessDatabase

    public init(database: GuestAccessDatabase) { self.database = database }

    public func enqueue(
        orderNumber: String,
        emailDigest: [UInt8],
        emailKid: String,
        clientDigest: [UInt8],
        language: ShopperLanguage,
        at date: Date,
        audit: AuditEvent
    ) async throws(StoreError) {
        let ms = date.millisecondsSince1970
        try await database.write { db in
            // The client's next turn: one after its last, and never behind the turn being served
            // (a client that was idle starts at the front, not with credit for its idle time).
            let turn =
                try Int64.fetchOne(
                    db.cachedStatement(
                        sql: """
                            INSERT INTO queue_clients (client_digest, last_turn) VALUES (?, (SELECT turn FROM queue_clock) + 1)
                            ON CONFLICT(client_digest) DO UPDATE SET last_turn = max(last_turn + 1, (SELECT turn FROM queue_clock) + 1)
                            RETURNING last_turn
                            """
                    ),
                    arguments: [Data(clientDigest)]
                ) ?? 0
            try SQLiteAuditTrail.insert(audit, into: db)
            try db.cachedStatement(
                sql: """
                    INSERT INTO code_requests (order_number, email_digest, email_kid, client_digest, requested_at_ms, next_attempt_at_ms,
                        audit_id, turn, language)
                    VALUES (?, ?, ?, ?, ?, ?, last_insert_rowid(), ?, ?)
                    """
            ).execute(arguments: [orderNumber, Data(emailDigest), emailKid, Data(clientDigest), ms, ms, turn, language.rawValue])
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
                        """
                ),
                arguments: [now, now]
            ) ?? false
        }
        guard due else { return nil }
        return try await database.writeImmediate { db -> CodeRequest? in
            guard
                let row = try Row.fetchOne(
                    db.cachedStatement(
                        sql: """
                            UPDATE code_requests SET lease_until_ms = ?, lease_token = ?
                            WHERE id = (
                                SELECT id FROM code_requests AS candidate INDEXED BY code_requests_by_turn
                                WHERE outcome IS NULL AND next_attempt_at_ms <= ? AND lease_until_ms <= ?
                                    AND NOT EXISTS (
                                        SELECT 1 FROM code_requests AS twin
                                        WHERE twin.outcome IS NULL AND twin.order_number = candidate.order_number
                                            AND twin.email_digest = candidate.email_digest AND twin.lease_until_ms > ?)
                                ORDER BY turn, id LIMIT 1)
                            RETURNING id, order_number, email_digest, email_kid, requested_at_ms, delivery_attempts, turn, lease_token, language
                            """
                    ),
                    arguments: [now + Int64(lease * 1000), Int64.random(in: 1...Int64.max), now, now, now]
                )
            else { return nil }
            try db.cachedStatement(sql: "UPDATE queue_clock SET turn = max(turn, ?)").execute(arguments: [row["turn"] as Int64])
            return CodeRequest(
                id: row["id"],
                orderNumber: row["order_number"],
                emailDigest: [UInt8](row["email_digest"] as Data),
                emailKid: row["email_kid"],
                requestedAt: Date(millisecondsSince1970: row["requested_at_ms"]),
                deliveryAttempts: row["delivery_attempts"],
                leaseToken: row["lease_token"],
                language: ShopperLanguage(rawValue: row["language"] as String? ?? "") ?? .en
            )
        }
    }

    public func releaseLeases() async throws(StoreError) {
        try await database.write { db in
            try db.execute(sql: "UPDATE code_requests SET lease_until_ms = 0 WHERE outcome IS NULL AND lease_until_ms <> 0")
        }
    }

    public func reschedule(_ request: CodeRequest, to date: Date, countsAttempt: Bool) async throws(StoreError) {
        try await database.write { db in
            try db.cachedStatement(
                sql: """
                    UPDATE code_requests SET next_attempt_at_ms = ?, delivery_attempts = delivery_attempts + ?, lease_until_ms = 0
                    WHERE id = ? AND lease_token = ? AND outcome IS NULL
                    """
            ).execute(arguments: [date.millisecondsSince1970, countsAttempt ? 1 : 0, request.id, request.leaseToken])
        }
    }

    @discardableResult
    public func finish(_ request: CodeRequest, outcome: CodeRequestOutcome, event: AuditEvent) async throws(StoreError) -> Int? {
        try await database.write { db -> Int? in
            guard
                let row = try Row.fetchOne(
                    db.cachedStatement(
                        sql: """
                            UPDATE code_requests SET outcome = ?, lease_until_ms = 0 WHERE id = ? AND lease_token = ? AND outcome IS NULL
                            RETURNING order_number, email_digest, audit_id
                            """
                    ),
                    arguments: [outcome.rawValue, request.id, request.leaseToken]
                )
            else { return nil }
            let twins =
                !outcome.collapsesTwins
                ? []
                : try Int64?.fetchAll(
                    db.cachedStatement(
                        sql: """
                            UPDATE code_requests SET outcome = ?
                            WHERE outcome IS NULL AND order_number = ? AND email_digest = ? AND lease_until_ms <= ?
                            RETURNING audit_id
                            """
                    ),
                    arguments: [
                        CodeRequestOutcome.collapsed.rawValue, row["order_number"] as String, row["email_digest"] as Data,
                        event.at.millisecondsSince1970,
                    ]
                )
            var folded = event
            if outcome == .noOrder {
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

    public func expire(requestedBefore date: Date, at now: Date) async throws(StoreError) -> Int {
        var total = 0
        while true {
            let expired = try await database.write { db -> Int in
                // In chunks, so one transaction never holds the write lock for long.
                let chosen = """
                    SELECT id FROM code_requests WHERE outcome IS NULL AND requested_at_ms < ? AND lease_until_ms <= ? LIMIT 2000
                    """
                let arguments: StatementArguments = [date.millisecondsSince1970, now.millisecondsSince1970]
                try db.execute(
                    sql: "DELETE FROM audit_events WHERE id IN (SELECT audit_id FROM code_requests WHERE id IN (\(chosen)))",
                    arguments: arguments
                )
                try db.execute(
                    sql: "UPDATE code_requests SET outcome = ? WHERE id IN (\(chosen))",
                    arguments: [CodeRequestOutcome.expired.rawValue] + arguments
                )
                let count = db.changesCount
                if count > 0 {
                    try SQLiteAuditTrail.fold(
                        AuditEvent(at: now, kind: .codeNotSent, detail: CodeRequestOutcome.expired.rawValue),
                        count: count,
                        into: db
                    )
                }
                return count
            }
            total += expired
            if expired < 2000 { return total }
        }
    }

    public func pruneFinished(before date: Date) async throws(StoreError) -> Int {
        try await database.write { db in
            try db.execute(
                sql: "DELETE FROM code_requests WHERE outcome IS NOT NULL AND requested_at_ms < ?",
                arguments: [date.millisecondsSince1970]
            )
            let pruned = db.changesCount
            // A client whose last turn is behind the one being served carries no state worth keeping.
            try db.execute(sql: "DELETE FROM queue_clients WHERE last_turn <= (SELECT turn FROM queue_clock)")
            return pruned
        }
    }

    public func pendingCount() async throws(StoreError) -> Int {
        try await database.read { db in
            try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM code_requests WHERE outcome IS NULL")) ?? 0
        }
    }

    /// Outcomes of finished requests, oldest first (for tests and operators).
    public func outcomes() async throws(StoreError) -> [CodeRequestOutcome?] {
        try await database.read { db in
            try String.fetchAll(db.cachedStatement(sql: "SELECT outcome FROM code_requests WHERE outcome IS NOT NULL ORDER BY id"))
                .map(CodeRequestOutcome.init(rawValue:))
        }
    }
}

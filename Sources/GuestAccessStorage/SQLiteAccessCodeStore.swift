public import Foundation
import GRDB
public import GuestAccessCore

/// `AccessCodeStore` on the service's SQLite database. The decoy rows (order
/// key `""`) stand in for a missing code or budget, so every verify runs the
/// same four statements, and each writes a fresh `write_nonce` so every path
/// also dirties the same pages (see migration v4). What is written back is
/// decided by `VerifyWriteBack`: exactly the rows read, decoys unchanged.
public struct SQLiteAccessCodeStore: AccessCodeStore {
    let database: GuestAccessDatabase

    public init(database: GuestAccessDatabase) { self.database = database }

    public func storeCode(
        _ code: StoredCode,
        requestID: Int64,
        leaseToken: Int64,
        emailDigest: [UInt8],
        at date: Date
    ) async throws(StoreError) -> Bool {
        try await database.writeImmediate { db in
            let pending = try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT outcome IS NULL AND lease_token = ? FROM code_requests WHERE id = ?"),
                arguments: [leaseToken, requestID]
            )
            guard pending == true else { return false }
            try db.cachedStatement(
                sql: """
                    INSERT INTO access_codes (order_key, code_digest, email_digest, kid, expires_at_ms, attempts, used)
                    VALUES (?, ?, ?, ?, ?, 0, 0)
                    ON CONFLICT(order_key) DO UPDATE SET code_digest = excluded.code_digest, email_digest = excluded.email_digest,
                        kid = excluded.kid, expires_at_ms = excluded.expires_at_ms, attempts = 0, used = 0
                    """
            ).execute(arguments: [
                code.orderKey, Data(code.codeDigest), Data(code.emailDigest), code.kid, code.expiresAt.millisecondsSince1970,
            ])
            try db.cachedStatement(
                sql: "INSERT OR IGNORE INTO code_issuance (request_id, order_number, email_digest, issued_at_ms) VALUES (?, ?, ?, ?)"
            ).execute(arguments: [requestID, code.orderKey, Data(emailDigest), date.millisecondsSince1970])
            return true
        }
    }

    public func issuedCount(orderNumber: String, since date: Date) async throws(StoreError) -> Int {
        try await database.read { db in
            try Int.fetchOne(
                db.cachedStatement(sql: "SELECT count(*) FROM code_issuance WHERE order_number = ? AND issued_at_ms >= ?"),
                arguments: [orderNumber, date.millisecondsSince1970]
            ) ?? 0
        }
    }

    public func issuedCount(emailDigest: [UInt8], since date: Date) async throws(StoreError) -> Int {
        try await database.read { db in
            try Int.fetchOne(
                db.cachedStatement(sql: "SELECT count(*) FROM code_issuance WHERE email_digest = ? AND issued_at_ms >= ?"),
                arguments: [Data(emailDigest), date.millisecondsSince1970]
            ) ?? 0
        }
    }

    public func budget(orderNumber: String) async throws(StoreError) -> OrderBudget? {
        try await database.read { db in
            try Row.fetchOne(
                db.cachedStatement(
                    sql: "SELECT order_key, consecutive_failures, day, day_failures, total_failures FROM order_budgets WHERE order_key = ?"
                ),
                arguments: [orderNumber]
            ).map(Self.budget)
        }
    }

    public func attempt(
        orderNumber: String,
        audit: AuditEvent,
        decide: @escaping @Sendable (StoredCode, OrderBudget) -> VerifyDecision
    ) async throws(StoreError) -> VerifyDecision {
        try await database.writeImmediate { db in
            guard
                let codeRow = try Row.fetchOne(
                    db.cachedStatement(
                        sql: """
                            SELECT order_key, code_digest, email_digest, kid, expires_at_ms, attempts, used FROM access_codes
                            WHERE order_key IN (?, '') ORDER BY order_key = '' LIMIT 1
                            """
                    ),
                    arguments: [orderNumber]
                ),
                let budgetRow = try Row.fetchOne(
                    db.cachedStatement(
                        sql: """
                            SELECT order_key, consecutive_failures, day, day_failures, total_failures FROM order_budgets
                            WHERE order_key IN (?, '') ORDER BY order_key = '' LIMIT 1
                            """
                    ),
                    arguments: [orderNumber]
                )
            else { throw MissingDecoyRow() }
            let code = StoredCode(
                orderKey: codeRow["order_key"],
                codeDigest: [UInt8](codeRow["code_digest"] as Data),
                emailDigest: [UInt8](codeRow["email_digest"] as Data),
                kid: codeRow["kid"],
                expiresAt: Date(millisecondsSince1970: codeRow["expires_at_ms"]),
                attempts: codeRow["attempts"],
                used: codeRow["used"]
            )
            let stored = Self.budget(budgetRow)
            let writeBack = VerifyWriteBack(code: code, budget: stored)
            let decision = decide(code, writeBack.budgetForDecision)
            let codeRowAfter = writeBack.codeRow(after: decision)
            try db.cachedStatement(sql: "UPDATE access_codes SET attempts = ?, used = ?, write_nonce = random() WHERE order_key = ?")
                .execute(arguments: [codeRowAfter.attempts, codeRowAfter.used, codeRowAfter.key])
            let budgetAfter = writeBack.budgetRow(after: decision)
            try db.cachedStatement(
                sql: """
                    INSERT INTO order_budgets (order_key, consecutive_failures, day, day_failures, total_failures, write_nonce)
                    VALUES (?, ?, ?, ?, ?, random())
                    ON CONFLICT(order_key) DO UPDATE SET consecutive_failures = excluded.consecutive_failures,
                        day = excluded.day, day_failures = excluded.day_failures, total_failures = excluded.total_failures,
                        write_nonce = excluded.write_nonce
                    """
            ).execute(arguments: [
                budgetAfter.orderKey, budgetAfter.consecutiveFailures, budgetAfter.day, budgetAfter.dayFailures,
                budgetAfter.totalFailures,
            ])
            var event = audit
            event.kind = decision.auditKind
            event.detail = decision.auditDetail
            try SQLiteAuditTrail.insert(event, into: db)
            return decision
        }
    }

    public func restore(orderNumber: String, codeDigest: [UInt8], attempts: Int) async throws(StoreError) {
        try await database.write { db in
            try db.cachedStatement(
                sql: """
                    UPDATE access_codes SET used = 0, attempts = attempts - 1
                    WHERE order_key = ? AND order_key <> '' AND code_digest = ? AND used = 1 AND attempts = ?
                    """
            ).execute(arguments: [orderNumber, Data(codeDigest), attempts])
        }
    }

    public func invalidate(orderNumber: String, codeDigest: [UInt8]) async throws(StoreError) {
        try await database.write { db in
            try db.cachedStatement(sql: "UPDATE access_codes SET used = 1 WHERE order_key = ? AND order_key <> '' AND code_digest = ?")
                .execute(arguments: [orderNumber, Data(codeDigest)])
        }
    }

    public func revokeOrder(_ orderNumber: String, now: @escaping @Sendable () -> Date) async throws(StoreError) {
        try await database.writeImmediate { db in
            try SQLiteTrackingTokenStore.revoke(orderNumber, atMilliseconds: now().millisecondsSince1970, in: db)
            try db.cachedStatement(sql: "DELETE FROM access_codes WHERE order_key = ? AND order_key <> ''").execute(arguments: [orderNumber]
            )
            try db.cachedStatement(sql: "UPDATE code_requests SET outcome = ? WHERE order_number = ? AND outcome IS NULL").execute(
                arguments: [CodeRequestOutcome.revoked.rawValue, orderNumber])
        }
    }

    static func budget(_ row: Row) -> OrderBudget {
        OrderBudget(
            orderKey: row["order_key"],
            consecutiveFailures: row["consecutive_failures"],
            day: row["day"],
            dayFailures: row["day_failures"],
            totalFailures: row["total_failures"]
        )
    }
}

public import Foundation
public import GuestAccessCore
import Logging
import PostgresNIO

/// `AccessCodeStore` on PostgreSQL, atomic across replicas. Every write that
/// touches an order's code or budget first takes the order's transaction lock
/// (`OrderLock`), then reads with `FOR UPDATE` what it decides on, so attempts
/// spread over any number of replicas are counted one after another. As on
/// SQLite, a decoy row stands in for a missing code or budget, so every
/// verify runs the same statements; `VerifyWriteBack` decides what is written
/// back (exactly the rows read, decoys unchanged). Unlike SQLite, which runs
/// one write at a time anyway, verifies here run side by side, so there are
/// many decoy rows (migration `v3-decoy-rows`) and each verify takes free ones
/// (two rows per table on every path, its own counted).
public struct PostgresAccessCodeStore: AccessCodeStore {
    let database: PostgresDatabase

    public init(database: PostgresDatabase) { self.database = database }

    var logger: Logger { database.logger }

    public func storeCode(
        _ code: StoredCode,
        requestID: Int64,
        leaseToken: Int64,
        emailDigest: [UInt8],
        at date: Date
    ) async throws(StoreError) -> Bool {
        try await database.transaction { connection in
            try await OrderLock.take(code.orderKey, on: connection, logger: logger)
            let rows = try await connection.query(
                "SELECT outcome IS NULL AND lease_token = \(leaseToken) FROM code_requests WHERE id = \(requestID) FOR UPDATE",
                logger: logger
            )
            var pending = false
            for try await value in rows.decode(Bool.self) { pending = value }
            guard pending else { return false }
            try await connection.query(
                """
                INSERT INTO access_codes (order_key, code_digest, email_digest, kid, expires_at_ms, attempts, used)
                VALUES (\(code.orderKey), \(Data(code.codeDigest)), \(Data(code.emailDigest)), \(code.kid),
                    \(code.expiresAt.millisecondsSince1970), 0, false)
                ON CONFLICT (order_key) DO UPDATE SET code_digest = excluded.code_digest, email_digest = excluded.email_digest,
                    kid = excluded.kid, expires_at_ms = excluded.expires_at_ms, attempts = 0, used = false
                """,
                logger: logger
            )
            try await connection.query(
                """
                INSERT INTO code_issuance (request_id, order_number, email_digest, issued_at_ms)
                VALUES (\(requestID), \(code.orderKey), \(Data(emailDigest)), \(date.millisecondsSince1970))
                ON CONFLICT (request_id) DO NOTHING
                """,
                logger: logger
            )
            return true
        }
    }

    public func issuedCount(orderNumber: String, since date: Date) async throws(StoreError) -> Int {
        try await database.connection { connection in
            let rows = try await connection.query(
                "SELECT count(*) FROM code_issuance WHERE order_number = \(orderNumber) AND issued_at_ms >= \(date.millisecondsSince1970)",
                logger: logger
            )
            for try await count in rows.decode(Int64.self) { return Int(count) }
            return 0
        }
    }

    public func issuedCount(emailDigest: [UInt8], since date: Date) async throws(StoreError) -> Int {
        try await database.connection { connection in
            let rows = try await connection.query(
                """
                SELECT count(*) FROM code_issuance WHERE email_digest = \(Data(emailDigest)) AND issued_at_ms >= \(date.millisecondsSince1970)
                """,
                logger: logger
            )
            for try await count in rows.decode(Int64.self) { return Int(count) }
            return 0
        }
    }

    public func budget(orderNumber: String) async throws(StoreError) -> OrderBudget? {
        try await database.connection { connection -> OrderBudget? in
            let rows = try await connection.query(
                """
                SELECT order_key, consecutive_failures, day, day_failures, total_failures FROM order_budgets
                WHERE order_key = \(orderNumber)
                """,
                logger: logger
            )
            for try await row in rows.decode((String, Int32, Int32, Int32, Int32).self) { return Self.budget(row) }
            return nil
        }
    }

    public func attempt(
        orderNumber: String,
        audit: AuditEvent,
        decide: @escaping @Sendable (StoredCode, OrderBudget) -> VerifyDecision
    ) async throws(StoreError) -> VerifyDecision {
        try await database.transaction { connection in
            try await OrderLock.take(orderNumber, on: connection, logger: logger)
            // One prepared statement reads and locks two rows per table on every path (`VerifyReadStatement`).
            let rows = try await connection.execute(
                VerifyReadStatement(orderNumber: orderNumber, start: VerifyReadStatement.randomDecoyKey()),
                logger: logger
            )
            var code: StoredCode?
            var decoyCodeKey: String?
            var budget: OrderBudget?
            var decoyBudgetKey: String?
            var storeTime: Int64?
            var lockedCodeRows = 0
            var lockedBudgetRows = 0
            for try await row in rows {
                let (isCode, standIn, key) = (row.0, row.1, row.2)
                if isCode {
                    lockedCodeRows += 1
                    guard let codeDigest = row.3, let emailDigest = row.4, let kid = row.5, let expires = row.6,
                        let attempts = row.7, let used = row.8, let time = row.13
                    else { throw MissingDecoyRow() }
                    storeTime = min(storeTime ?? time, time)
                    if standIn, decoyCodeKey == nil { decoyCodeKey = key }
                    guard !standIn || code == nil else { continue }
                    code = StoredCode(
                        orderKey: standIn ? "" : key,
                        codeDigest: [UInt8](codeDigest),
                        emailDigest: [UInt8](emailDigest),
                        kid: kid,
                        expiresAt: Date(millisecondsSince1970: expires),
                        attempts: Int(attempts),
                        used: used
                    )
                } else {
                    lockedBudgetRows += 1
                    guard let consecutive = row.9, let day = row.10, let dayFailures = row.11, let total = row.12 else {
                        throw MissingDecoyRow()
                    }
                    if standIn, decoyBudgetKey == nil { decoyBudgetKey = key }
                    guard !standIn || budget == nil else { continue }
                    budget = Self.budget((standIn ? "" : key, consecutive, day, dayFailures, total))
                }
            }
            // Two rows per table on every path, or none of it: with too few free decoys (more verifies in flight
            // than the decoys serve) a verify is refused as unavailable rather than run on fewer rows.
            guard let code, let budget, let decoyCodeKey, let decoyBudgetKey, lockedCodeRows == 2, lockedBudgetRows == 2 else {
                throw MissingDecoyRow()
            }
            let writeBack = VerifyWriteBack(code: code, budget: budget)
            var decision = decide(code, writeBack.budgetForDecision)
            decision.storeTime = storeTime.map(Date.init(millisecondsSince1970:))
            let codeAfter = writeBack.codeRow(after: decision)
            let budgetAfter = writeBack.budgetRow(after: decision)
            var event = audit
            event.kind = decision.auditKind
            event.detail = decision.auditDetail
            // The three writes in one prepared statement (`VerifyWriteStatement`).
            let written = try await connection.execute(
                VerifyWriteStatement(
                    codeKey: codeAfter.key.isEmpty ? decoyCodeKey : codeAfter.key,
                    attempts: Int32(codeAfter.attempts),
                    used: codeAfter.used,
                    budgetKey: budgetAfter.orderKey.isEmpty ? decoyBudgetKey : budgetAfter.orderKey,
                    consecutiveFailures: Int32(budgetAfter.consecutiveFailures),
                    day: Int32(budgetAfter.day),
                    dayFailures: Int32(budgetAfter.dayFailures),
                    totalFailures: Int32(budgetAfter.totalFailures),
                    event: event
                ),
                logger: logger
            )
            // The code row, the budget row and the audit row, one each, or the transaction is rolled back.
            for try await counts in written where counts != (1, 1, 1) { throw MissingDecoyRow() }
            return decision
        }
    }

    public func restore(orderNumber: String, codeDigest: [UInt8], attempts: Int) async throws(StoreError) {
        try await database.transaction { connection in
            try await OrderLock.take(orderNumber, on: connection, logger: logger)
            try await connection.query(
                """
                UPDATE access_codes SET used = false, attempts = attempts - 1
                WHERE order_key = \(orderNumber) AND NOT decoy AND code_digest = \(Data(codeDigest)) AND used
                    AND attempts = \(Int32(attempts))
                """,
                logger: logger
            )
        }
    }

    public func invalidate(orderNumber: String, codeDigest: [UInt8]) async throws(StoreError) {
        try await database.transaction { connection in
            try await OrderLock.take(orderNumber, on: connection, logger: logger)
            try await connection.query(
                """
                UPDATE access_codes SET used = true
                WHERE order_key = \(orderNumber) AND NOT decoy AND code_digest = \(Data(codeDigest))
                """,
                logger: logger
            )
        }
    }

    public func revokeOrder(_ orderNumber: String, now: @escaping @Sendable () -> Date) async throws(StoreError) {
        try await database.transaction { connection in
            try await OrderLock.take(orderNumber, on: connection, logger: logger)
            // The time is read once the lock is held: every verify of this order that
            // committed before it dated its token earlier, by the earlier of its replica's
            // clock and the database's (`VerifyDecision.storeTime`), and is refused. The
            // database's clock alone: a replica whose clock runs far ahead cannot date a
            // revocation into the future and refuse the order's tokens long after.
            let revokedAt = try await PostgresClock.now(on: connection, logger: logger)
            try await PostgresTrackingTokenStore.revoke(orderNumber, atMilliseconds: revokedAt, on: connection, logger: logger)
            try await connection.query(
                "DELETE FROM access_codes WHERE order_key = \(orderNumber) AND NOT decoy",
                logger: logger
            )
            try await connection.query(
                """
                UPDATE code_requests SET outcome = \(CodeRequestOutcome.revoked.rawValue)
                WHERE order_number = \(orderNumber) AND outcome IS NULL
                """,
                logger: logger
            )
        }
    }

    static func budget(_ row: (String, Int32, Int32, Int32, Int32)) -> OrderBudget {
        OrderBudget(
            orderKey: row.0,
            consecutiveFailures: Int(row.1),
            day: Int(row.2),
            dayFailures: Int(row.3),
            totalFailures: Int(row.4)
        )
    }
}

import Foundation
import GuestAccessCore
import PostgresNIO

/// Verify's three writes in one statement, prepared once per connection: the
/// code row, the budget row and the audit row (the columns
/// `PostgresAuditTrail.insert` writes), in one round trip while the order's
/// lock is held. Data-modifying CTEs run exactly once whether or not the
/// outer query reads them.
struct VerifyWriteStatement: PostgresPreparedStatement {
    static let name = "guest_access_verify_write_v1"

    static let sql = """
        WITH code AS (
            UPDATE access_codes SET attempts = $1, used = $2, write_nonce = (random() * 9e18)::bigint
            WHERE order_key = $3
            RETURNING 1),
        budget AS (
            INSERT INTO order_budgets (order_key, consecutive_failures, day, day_failures, total_failures, write_nonce)
            VALUES ($4, $5, $6, $7, $8, (random() * 9e18)::bigint)
            ON CONFLICT (order_key) DO UPDATE SET consecutive_failures = excluded.consecutive_failures, day = excluded.day,
                day_failures = excluded.day_failures, total_failures = excluded.total_failures,
                write_nonce = excluded.write_nonce
            RETURNING 1),
        audit AS (
            INSERT INTO audit_events (at_ms, kind, order_digest, kid, detail)
            VALUES ($9, $10, $11, $12, $13)
            RETURNING 1)
        SELECT (SELECT count(*) FROM code), (SELECT count(*) FROM budget), (SELECT count(*) FROM audit)
        """

    static let bindingDataTypes: [PostgresDataType] = [
        .int4, .bool, .text, .text, .int4, .int4, .int4, .int4, .int8, .text, .bytea, .text, .text,
    ]

    typealias Row = (Int64, Int64, Int64)

    /// The code row's key and what it becomes.
    let codeKey: String
    let attempts: Int32
    let used: Bool
    /// The budget row's key and what it becomes.
    let budgetKey: String
    let consecutiveFailures: Int32
    let day: Int32
    let dayFailures: Int32
    let totalFailures: Int32
    let event: AuditEvent

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 13)
        bindings.append(attempts)
        bindings.append(used)
        bindings.append(codeKey)
        bindings.append(budgetKey)
        bindings.append(consecutiveFailures)
        bindings.append(day)
        bindings.append(dayFailures)
        bindings.append(totalFailures)
        bindings.append(event.at.millisecondsSince1970)
        bindings.append(event.kind.rawValue)
        try bindings.append(event.orderDigest.map { Data($0) })
        bindings.append(event.kid)
        bindings.append(event.detail)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

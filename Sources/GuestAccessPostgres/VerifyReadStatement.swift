import Foundation
import PostgresNIO

/// Verify's one read, prepared once per connection: planning this statement
/// took about twice as long as running it (0.24–0.31 ms against 0.11–0.18 ms
/// in `EXPLAIN ANALYZE`), and every verify runs it while the order's lock is
/// held.
///
/// It locks what the decision needs, code rows first, then budget rows: on
/// every path two rows per table, the order's own row and one free decoy, or,
/// when the order has no row, two free decoys, the first standing in for it.
/// Decoys are many and skipped when taken, so no verify waits for another
/// order's; each search starts at a random decoy (`start`, wrapping round), so
/// verifies in flight do not all step over the same taken ones. A row-locking
/// CTE is never inlined and is read lazily, so the wrapped search runs only
/// when the first found too few (PostgreSQL allows no `FOR UPDATE` inside a
/// `UNION` itself).
struct VerifyReadStatement: PostgresPreparedStatement {
    static let name = "guest_access_verify_read_v1"

    static let sql = """
        WITH own_code AS (
            SELECT order_key, code_digest, email_digest, kid, expires_at_ms, attempts, used
            FROM access_codes WHERE order_key = $1 AND NOT decoy FOR UPDATE),
        code_from_start AS (
            SELECT order_key, code_digest, email_digest, kid, expires_at_ms, attempts, used FROM access_codes
            WHERE decoy AND order_key >= $2 ORDER BY order_key
            LIMIT (SELECT 2 - count(*) FROM own_code) FOR UPDATE SKIP LOCKED),
        code_wrapped AS (
            SELECT order_key, code_digest, email_digest, kid, expires_at_ms, attempts, used FROM access_codes
            WHERE decoy AND order_key < $2 ORDER BY order_key
            LIMIT (SELECT 2 - count(*) FROM own_code) FOR UPDATE SKIP LOCKED),
        stand_in_code AS (
            SELECT * FROM code_from_start UNION ALL SELECT * FROM code_wrapped LIMIT (SELECT 2 - count(*) FROM own_code)),
        own_budget AS (
            SELECT order_key, consecutive_failures, day, day_failures, total_failures
            FROM order_budgets WHERE order_key = $1 AND NOT decoy FOR UPDATE),
        budget_from_start AS (
            SELECT order_key, consecutive_failures, day, day_failures, total_failures FROM order_budgets
            WHERE decoy AND order_key >= $2 ORDER BY order_key
            LIMIT (SELECT 2 - count(*) FROM own_budget) FOR UPDATE SKIP LOCKED),
        budget_wrapped AS (
            SELECT order_key, consecutive_failures, day, day_failures, total_failures FROM order_budgets
            WHERE decoy AND order_key < $2 ORDER BY order_key
            LIMIT (SELECT 2 - count(*) FROM own_budget) FOR UPDATE SKIP LOCKED),
        stand_in_budget AS (
            SELECT * FROM budget_from_start UNION ALL SELECT * FROM budget_wrapped LIMIT (SELECT 2 - count(*) FROM own_budget))
        SELECT true, false, order_key, code_digest, email_digest, kid, expires_at_ms, attempts, used,
            NULL::int, NULL::int, NULL::int, NULL::int, \(PostgresClock.nowMilliseconds) FROM own_code
        UNION ALL SELECT true, true, order_key, code_digest, email_digest, kid, expires_at_ms, attempts, used,
            NULL::int, NULL::int, NULL::int, NULL::int, \(PostgresClock.nowMilliseconds) FROM stand_in_code
        UNION ALL SELECT false, false, order_key, NULL::bytea, NULL::bytea, NULL::text, NULL::bigint, NULL::int, NULL::bool,
            consecutive_failures, day, day_failures, total_failures, NULL::bigint FROM own_budget
        UNION ALL SELECT false, true, order_key, NULL::bytea, NULL::bytea, NULL::text, NULL::bigint, NULL::int, NULL::bool,
            consecutive_failures, day, day_failures, total_failures, NULL::bigint FROM stand_in_budget
        """

    static let bindingDataTypes: [PostgresDataType] = [.text, .text]

    /// Code or budget, own or stand-in, the key, the code's columns, the
    /// budget's columns, the database's clock (code rows only).
    typealias Row = (Bool, Bool, String, Data?, Data?, String?, Int64?, Int32?, Bool?, Int32?, Int32?, Int32?, Int32?, Int64?)

    let orderNumber: String
    /// Where the search for free decoys starts (`randomDecoyKey`).
    let start: String

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 2)
        bindings.append(orderNumber)
        bindings.append(start)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }

    /// A decoy key (`~decoy-0001` … `~decoy-2047`, migration `v3-decoy-rows`)
    /// from the system's generator. Not a secret: it only spreads verifies
    /// over the decoys.
    static func randomDecoyKey() -> String {
        let number = String(Int.random(in: 1...2047))
        return "~decoy-" + String(repeating: "0", count: 4 - number.count) + number
    }
}

import PostgresNIO

/// `OrderLock`'s statement, prepared once per connection: every verify takes
/// the order's lock first, and planning the statement each time cost
/// PostgreSQL about 22 µs per verify (`pg_stat_statements`, 2026-11-27),
/// against about 4 µs to run it.
///
/// The key is the order's 64-bit hash, the one replicas have always used (so
/// replicas of earlier builds, mid-rollout, still exclude these). The two
/// hashes that would land on the claim or migration lock are moved off them,
/// so no order number, however chosen, takes either of those.
struct OrderLockStatement: PostgresPreparedStatement {
    static let name = "guest_access_order_lock_v1"

    static let sql = """
        SELECT pg_advisory_xact_lock(CASE WHEN key IN (\(PostgresCodeRequestQueue.claimLock), \(PostgresDatabase.migrationLock))
            THEN key # 1 ELSE key END)
        FROM (SELECT hashtextextended($1, 7) AS key) AS hashed
        """

    static let bindingDataTypes: [PostgresDataType] = [.text]

    typealias Row = ()

    let orderNumber: String

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(orderNumber)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {}
}

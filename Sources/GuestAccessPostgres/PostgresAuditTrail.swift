public import Foundation
public import GuestAccessCore
import Logging
import PostgresNIO

/// `AuditTrail` on PostgreSQL, shared by the fleet. The static helpers write
/// inside a store's own transaction (verify attempts, code requests).
public struct PostgresAuditTrail: AuditTrail {
    let database: PostgresDatabase

    public init(database: PostgresDatabase) { self.database = database }

    public func record(_ event: AuditEvent) async throws(StoreError) {
        try await database.connection { connection in
            _ = try await Self.insert(event, on: connection, logger: database.logger)
        }
    }

    public func events(_ query: AuditQuery) async throws(StoreError) -> [AuditEvent] {
        var binds = PostgresBindings()
        var clauses: [String] = []
        func placeholder(_ value: some PostgresThrowingDynamicTypeEncodable) throws(StoreError) -> String {
            do { try binds.append(value, context: .default) } catch { throw StoreError(postgres: error) }
            return "$\(binds.count)"
        }
        if !query.orderDigests.isEmpty {
            var pairs: [String] = []
            for pair in query.orderDigests {
                pairs.append("(order_digest = \(try placeholder(Data(pair.digest))) AND kid = \(try placeholder(pair.kid)))")
            }
            clauses.append("(" + pairs.joined(separator: " OR ") + ")")
        }
        if !query.kinds.isEmpty {
            var kinds: [String] = []
            for kind in query.kinds { kinds.append(try placeholder(kind.rawValue)) }
            clauses.append("kind IN (" + kinds.joined(separator: ", ") + ")")
        }
        if let since = query.since { clauses.append("at_ms >= \(try placeholder(since.millisecondsSince1970))") }
        let whereClause = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        let sql = """
            SELECT id, at_ms, kind, order_digest, kid, detail, count FROM audit_events \(whereClause)
            ORDER BY id DESC LIMIT \(try placeholder(Int64(query.limit)))
            """
        let statement = PostgresQuery(unsafeSQL: sql, binds: binds)
        return try await database.connection { connection in
            var events: [AuditEvent] = []
            let rows = try await connection.query(statement, logger: database.logger)
            for try await (id, at, kind, digest, kid, detail, count) in rows.decode(
                (Int64, Int64, String, Data?, String?, String?, Int64).self
            ) {
                // A kind this version does not know (written by a newer one) is skipped, never relabelled.
                guard let kind = AuditEventKind(rawValue: kind) else { continue }
                events.append(
                    AuditEvent(
                        id: id,
                        at: Date(millisecondsSince1970: at),
                        kind: kind,
                        orderDigest: digest.map { [UInt8]($0) },
                        kid: kid,
                        detail: detail,
                        count: Int(count)
                    )
                )
            }
            return events.reversed()
        }
    }

    public func prune(before date: Date, keepingAtMost maxEvents: Int) async throws(StoreError) -> Int {
        try await database.transaction { connection in
            var pruned = 0
            let old = try await connection.query(
                "WITH gone AS (DELETE FROM audit_events WHERE at_ms < \(date.millisecondsSince1970) RETURNING 1) SELECT count(*) FROM gone",
                logger: database.logger
            )
            for try await count in old.decode(Int64.self) { pruned += Int(count) }
            // The size bound, only on the kinds anyone's traffic can multiply (see the SQLite trail).
            let noisy = AuditEventKind.multipliedByTraffic.map(\.rawValue)
            let excess = try await connection.query(
                """
                WITH gone AS (
                    DELETE FROM audit_events WHERE kind = ANY(\(noisy)) AND id <= (
                        SELECT id FROM audit_events WHERE kind = ANY(\(noisy)) ORDER BY id DESC LIMIT 1 OFFSET \(Int64(maxEvents)))
                    RETURNING 1)
                SELECT count(*) FROM gone
                """,
                logger: database.logger
            )
            for try await count in excess.decode(Int64.self) { pruned += Int(count) }
            return pruned
        }
    }

    /// Writes `event` inside the caller's transaction; returns its id.
    @discardableResult
    static func insert(_ event: AuditEvent, on connection: PostgresConnection, logger: Logger) async throws -> Int64 {
        let rows = try await connection.query(
            """
            INSERT INTO audit_events (at_ms, kind, order_digest, kid, detail)
            VALUES (\(event.at.millisecondsSince1970), \(event.kind.rawValue), \(event.orderDigest.map { Data($0) }), \(event.kid),
                \(event.detail))
            RETURNING id
            """,
            logger: logger
        )
        for try await id in rows.decode(Int64.self) { return id }
        return 0
    }

    /// Deletes the rows `ids` (code requests folded into an hourly row).
    static func delete(ids: [Int64], on connection: PostgresConnection, logger: Logger) async throws {
        guard !ids.isEmpty else { return }
        try await connection.query("DELETE FROM audit_events WHERE id = ANY(\(ids))", logger: logger)
    }

    /// Adds `count` to the row for `event`'s kind, order, key id and detail in
    /// the hour of `event.at`, creating it if needed: one upsert on the
    /// window's unique index, so replicas folding at once add up, never split.
    static func fold(_ event: AuditEvent, count: Int, on connection: PostgresConnection, logger: Logger) async throws {
        let at = event.at.millisecondsSince1970
        let window = at / 3_600_000 * 3_600_000
        try await connection.query(
            """
            INSERT INTO audit_events (at_ms, kind, order_digest, kid, detail, count, window_ms)
            VALUES (\(at), \(event.kind.rawValue), \(event.orderDigest.map { Data($0) }), \(event.kid), \(event.detail), \(Int64(count)),
                \(window))
            ON CONFLICT (window_ms, kind, order_digest, kid, detail) WHERE window_ms IS NOT NULL
            DO UPDATE SET count = audit_events.count + excluded.count, at_ms = GREATEST(audit_events.at_ms, excluded.at_ms)
            """,
            logger: logger
        )
    }
}

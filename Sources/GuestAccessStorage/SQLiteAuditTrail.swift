public import Foundation
import GRDB
public import GuestAccessCore

/// `AuditTrail` on the service's SQLite database. `insert` is also used by the
/// stores that write an event inside their own transaction.
public struct SQLiteAuditTrail: AuditTrail {
    let database: GuestAccessDatabase

    public init(database: GuestAccessDatabase) { self.database = database }

    public func record(_ event: AuditEvent) async throws(StoreError) {
        try await database.write { db in try Self.insert(event, into: db) }
    }

    public func events(_ query: AuditQuery) async throws(StoreError) -> [AuditEvent] {
        var clauses: [String] = []
        var arguments: StatementArguments = []
        if !query.orderDigests.isEmpty {
            clauses.append("(" + query.orderDigests.map { _ in "(order_digest = ? AND kid = ?)" }.joined(separator: " OR ") + ")")
            for pair in query.orderDigests { arguments += [Data(pair.digest), pair.kid] }
        }
        if !query.kinds.isEmpty {
            clauses.append("kind IN (" + query.kinds.map { _ in "?" }.joined(separator: ", ") + ")")
            for kind in query.kinds { arguments += [kind.rawValue] }
        }
        if let since = query.since {
            clauses.append("at_ms >= ?")
            arguments += [since.millisecondsSince1970]
        }
        let whereClause = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        arguments += [query.limit]
        let sql = "SELECT id, at_ms, kind, order_digest, kid, detail, count FROM audit_events \(whereClause) ORDER BY id DESC LIMIT ?"
        let finalArguments = arguments
        return try await database.read { db in
            // A kind this version does not know (written by a newer one) is skipped, never relabelled.
            try Row.fetchAll(db, sql: sql, arguments: finalArguments).reversed().compactMap { row in
                guard let kind = AuditEventKind(rawValue: row["kind"]) else { return nil }
                return AuditEvent(
                    id: row["id"],
                    at: Date(millisecondsSince1970: row["at_ms"]),
                    kind: kind,
                    orderDigest: (row["order_digest"] as Data?).map { [UInt8]($0) },
                    kid: row["kid"],
                    detail: row["detail"],
                    count: row["count"]
                )
            }
        }
    }

    public func prune(before date: Date, keepingAtMost maxEvents: Int) async throws(StoreError) -> Int {
        try await database.write { db in
            try db.execute(sql: "DELETE FROM audit_events WHERE at_ms < ?", arguments: [date.millisecondsSince1970])
            var pruned = db.changesCount
            // The size bound, on the kinds that anyone's traffic can multiply: their oldest rows go
            // first once there are more than `maxEvents`. The rest (locks, burns, successes, tokens,
            // revokes, key events) are bounded by budgets and limits, and never pushed out by a flood.
            let noisy = AuditEventKind.multipliedByTraffic.map { "'\($0.rawValue)'" }.joined(separator: ", ")
            try db.execute(
                sql: """
                    DELETE FROM audit_events WHERE kind IN (\(noisy)) AND id <= (
                        SELECT id FROM audit_events WHERE kind IN (\(noisy)) ORDER BY id DESC LIMIT 1 OFFSET ?)
                    """,
                arguments: [maxEvents]
            )
            pruned += db.changesCount
            return pruned
        }
    }

    /// Deletes the rows `ids` (code requests folded into an hourly row).
    static func delete(ids: [Int64], from db: Database) throws {
        for id in ids {
            try db.cachedStatement(sql: "DELETE FROM audit_events WHERE id = ?").execute(arguments: [id])
        }
    }

    /// Adds `count` to the row for `event`'s kind, order, key id and detail in
    /// the hour of `event.at`, creating it if needed.
    static func fold(_ event: AuditEvent, count: Int, into db: Database) throws {
        let window = event.at.millisecondsSince1970 / 3_600_000 * 3_600_000
        let digest = event.orderDigest.map { Data($0) }
        try db.cachedStatement(
            sql: """
                UPDATE audit_events SET count = count + ?, at_ms = max(at_ms, ?)
                WHERE window_ms = ? AND kind = ? AND order_digest IS ? AND kid IS ? AND detail IS ?
                """
        ).execute(arguments: [count, event.at.millisecondsSince1970, window, event.kind.rawValue, digest, event.kid, event.detail])
        guard db.changesCount == 0 else { return }
        try db.cachedStatement(
            sql: "INSERT INTO audit_events (at_ms, kind, order_digest, kid, detail, count, window_ms) VALUES (?, ?, ?, ?, ?, ?, ?)"
        ).execute(arguments: [event.at.millisecondsSince1970, event.kind.rawValue, digest, event.kid, event.detail, count, window])
    }

    /// Writes `event` with `db`, inside the caller's transaction.
    static func insert(_ event: AuditEvent, into db: Database) throws {
        try db.cachedStatement(sql: "INSERT INTO audit_events (at_ms, kind, order_digest, kid, detail) VALUES (?, ?, ?, ?, ?)").execute(
            arguments: [event.at.millisecondsSince1970, event.kind.rawValue, event.orderDigest.map { Data($0) }, event.kid, event.detail])
    }
}

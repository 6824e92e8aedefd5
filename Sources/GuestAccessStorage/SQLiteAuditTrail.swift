import Foundation
import GRDB
import GuestAccessCore

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
        let sql = "SELECT id, at_ms, kind, order_digest, kid, detail FROM audit_events \(whereClause) ORDER BY id DESC LIMIT ?"
        let finalArguments = arguments
        return try await database.read { db in
            // A kind this version does not know (written by a newer one) is skipped, never relabelled.
            try Row.fetchAll(db, sql: sql, arguments: finalArguments).reversed().compactMap { row in
                guard let kind = AuditEventKind(rawValue: row["kind"]) else { return nil }
                return AuditEvent(
                    id: row["id"], at: Date(millisecondsSince1970: row["at_ms"]),
                    kind: kind,
                    orderDigest: (row["order_digest"] as Data?).map { [UInt8]($0) }, kid: row["kid"], detail: row["detail"])
            }
        }
    }

    public func prune(before date: Date) async throws(StoreError) -> Int {
        try await database.write { db in
            try db.execute(sql: "DELETE FROM audit_events WHERE at_ms < ?", arguments: [date.millisecondsSince1970])
            return db.changesCount
        }
    }

    /// Writes `event` with `db`, inside the caller's transaction.
    static func insert(_ event: AuditEvent, into db: Database) throws {
        try db.cachedStatement(sql: "INSERT INTO audit_events (at_ms, kind, order_digest, kid, detail) VALUES (?, ?, ?, ?, ?)").execute(
            arguments: [event.at.millisecondsSince1970, event.kind.rawValue, event.orderDigest.map { Data($0) }, event.kid, event.detail])
    }
}

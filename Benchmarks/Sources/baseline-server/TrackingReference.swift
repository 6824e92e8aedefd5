import CRawOpenSSL
import CRawSQLite
import Foundation
import GRDB
import GuestAccessCrypto
import Hummingbird
import Synchronization

/// `GET /track/:token`: the work a tracking lookup cannot avoid, and nothing
/// else, so the tracking route can be read against it. The token's shape
/// check, one SHA-256 over a domain separator and the token (the service's
/// `SHA256`; OpenSSL's one-shot call until 2026-11-28), one point read of the token's row from SQLite on the
/// calling thread (the service's lookup pattern: a few connections taken in
/// turn, GRDB's cached statement stepped through SQLite's C API, one
/// statement without a transaction, the revocation subquery included), the order from memory, and the view's JSON (the same 361 bytes
/// the service answers for the load test's order) written straight into the
/// response buffer. No middleware, no rate limit, no masking, no envelope.
final class TrackingReference: Sendable {
    /// The one token the table holds besides `fillerRows` random digests.
    static let token = "gt_" + String(repeating: "R", count: 32)

    private static let domain: [UInt8] = Array("guest-access/v1/tracking-token".utf8) + [0]

    private let lookups: ReferenceLookups
    /// The raw variant's connections (`RawPointRead`), and its spare.
    private let raw: Mutex<[RawPointRead]>
    private let rawSpare: Mutex<RawPointRead>

    private static let sql = """
        SELECT t.order_number, t.expires_at_ms,
               COALESCE(t.revoked_at_ms,
                        (SELECT r.revoked_at_ms FROM order_revocations r
                         WHERE r.order_number = t.order_number AND r.revoked_at_ms >= t.created_at_ms))
        FROM tracking_tokens t WHERE t.digest = ?
        """

    /// `fillerRows` random digests beside the one live token (10,000 for the
    /// reference routes; the service frame's floor uses the load test's
    /// handful, see `ServiceFrame`).
    init(path: String, fillerRows: Int = 10_000) throws {
        let writer = try DatabaseQueue(path: path)
        // WAL, as the service's database: a reader takes a read mark in the shared index, not the file's lock.
        try writer.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
        try writer.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE IF NOT EXISTS tracking_tokens (digest BLOB PRIMARY KEY, order_number TEXT NOT NULL,
                        created_at_ms INTEGER NOT NULL, expires_at_ms INTEGER NOT NULL, revoked_at_ms INTEGER) WITHOUT ROWID;
                    CREATE TABLE IF NOT EXISTS order_revocations (order_number TEXT PRIMARY KEY, revoked_at_ms INTEGER NOT NULL)
                        WITHOUT ROWID;
                    """
            )
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            for _ in 0..<fillerRows {
                try db.execute(
                    sql: "INSERT INTO tracking_tokens VALUES (randomblob(32), 'ORD-0000-0000', ?, ?, NULL)",
                    arguments: [now, now + 86_400_000]
                )
            }
            try db.execute(
                sql: "INSERT OR REPLACE INTO tracking_tokens VALUES (?, 'ORD-2026-0042', ?, ?, NULL)",
                arguments: [Data(Self.digest(Self.token)), now, now + 30 * 86_400_000]
            )
        }
        try writer.close()
        lookups = try ReferenceLookups(path: path)
        raw = Mutex(try (0..<4).map { _ in try RawPointRead(path: path, sql: Self.sql) })
        rawSpare = Mutex(try RawPointRead(path: path, sql: Self.sql))
    }

    /// The service's SHA-256 (`GuestAccessCrypto`: the digest fetched once),
    /// not OpenSSL's one-shot `SHA256()`, which fetches it on every call.
    static func digest(_ token: String) -> [UInt8] {
        var input = domain
        input.append(contentsOf: token.utf8)
        return SHA256.hash(input)
    }

    /// `/track/:token` reads through GRDB as the service does; `/track-raw/:token`
    /// through SQLite's C API; `/track-nodb/:token` skips the read (the order
    /// is the one the table names), to split the lookup's cost.
    func add(to router: Router<BasicRequestContext>) {
        router.get("/track/:token") { _, context -> Response in
            try self.answer(context.parameters.get("token")) { try self.lookup($0) }
        }
        addSplitVariants(to: router)
    }

    /// The reference's handler at `path` (a route whose last component is `:token`).
    func add<Routes: RouterMethods<BasicRequestContext>>(at path: RouterPath, to routes: Routes) {
        routes.get(path) { _, context -> Response in
            try self.answer(context.parameters.get("token")) { try self.lookup($0) }
        }
    }

    private func addSplitVariants(to router: Router<BasicRequestContext>) {
        router.get("/track-raw/:token") { _, context -> Response in
            try self.answer(context.parameters.get("token")) { try self.rawLookup($0) }
        }
        router.get("/track-nodb/:token") { _, context -> Response in
            try self.answer(context.parameters.get("token")) { _ in "ORD-2026-0042" }
        }
    }

    private func answer(_ token: String?, lookup: ([UInt8]) throws -> String?) throws -> Response {
        guard let token, token.utf8.count == 35, token.hasPrefix("gt_") else { return Response(status: .notFound) }
        guard let order = try lookup(Self.digest(token)) else { return Response(status: .notFound) }
        var buffer = ByteBuffer()
        buffer.reserveCapacity(384)
        buffer.writeString(#"{"createdAt":"2026-03-23T14:30:00Z","currency":"USD","emailMasked":"j***@e***.com","#)
        buffer.writeString(#""fulfillmentStatus":"FULFILLED","grandTotal":5397,"items":[{"imageUrl":"#)
        buffer.writeString(#""https://shop.example.com/media/ct-white.png","name":"Classic T-Shirt","quantity":2}],"#)
        buffer.writeString(#""orderNumber":""#)
        buffer.writeString(order)
        buffer.writeString(#"","paymentStatus":"PAID","shippingCity":"Portland","shippingCountry":"US","status":"SHIPPED"}"#)
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: buffer))
    }

    private func rawLookup(_ digest: [UInt8]) throws -> String? {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        if let taken = raw.withLock({ $0.popLast() }) {
            defer { raw.withLock { $0.append(taken) } }
            return try taken.orderNumber(digest: digest, now: now)
        }
        return try rawSpare.withLock { try $0.orderNumber(digest: digest, now: now) }
    }

    /// The live token's order number, read the way the service reads it.
    private func lookup(_ digest: [UInt8]) throws -> String? {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let found = try lookups.first(Self.sql, blob: digest) { handle -> String? in
            let expires = sqlite3_column_int64(handle, 1)
            let revoked = sqlite3_column_type(handle, 2) != SQLITE_NULL
            guard expires > now, !revoked, let text = sqlite3_column_text(handle, 0) else { return nil }
            return String(cString: text)
        }
        return found ?? nil
    }
}

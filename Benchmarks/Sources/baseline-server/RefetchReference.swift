import CRawOpenSSL
import CRawSQLite
import Foundation
import GRDB
import GuestAccessCrypto
import Hummingbird

/// `GET /refetch` with `Authorization: Bearer TOKEN`: the work a token
/// re-fetch cannot avoid, and less, so the re-fetch route can be read
/// against it. The token's HMAC-SHA256 over its signing input (the
/// service's `HMACKey`; OpenSSL's one-shot call until 2026-11-28) compared in constant time, the one statement the service
/// reads (the token's id among revoked tokens and the order among revoked
/// orders, two point reads; `ReferenceLookups`), and the full order's JSON (the same
/// 980 bytes the service answers for the load test's order) copied from
/// memory. Less than the route must do: the claims are not parsed (their
/// values are known) and the order is not encoded. No middleware.
final class RefetchReference: Sendable {
    /// HS256 under 32 bytes of 0x2a; `scripts/load_bench.py` builds the same.
    static let token: String = {
        let signingInput =
            base64URL(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8)) + "."
            + base64URL(Array(#"{"jti":"reference-jti","sub":"ORD-2026-0042"}"#.utf8))
        return signingInput + "." + base64URL(hmac(Array(signingInput.utf8)))
    }()

    private static let key = [UInt8](repeating: 0x2a, count: 32)
    private static let jti = "reference-jti"
    private static let orderNumber = "ORD-2026-0042"
    private static let body = #"""
        {"billingAddress":{"city":"Portland","country":"US","line1":"123 Main St","line2":"Apt 4B","name":"Jane Doe","postalCode":"97201","region":"OR"},"createdAt":"2026-03-23T14:30:00Z","currency":"USD","discountAmount":1200,"email":"jane.doe@example.com","fulfillmentStatus":"FULFILLED","fulfillments":[{"carrier":"UPS","shippedAt":"2026-03-24T09:00:00Z","status":"SHIPPED","trackingNumber":"1Z999AA10123456784","trackingUrl":"https://www.ups.com/track?tracknum=1Z999AA10123456784"}],"grandTotal":5397,"items":[{"imageUrl":"https://shop.example.com/media/ct-white.png","name":"Classic T-Shirt","quantity":2,"sku":"CT-WHT-M","total":5998,"unitPrice":2999}],"orderNumber":"ORD-2026-0042","paymentStatus":"PAID","phone":"+1 503 555 0100","shippingAddress":{"city":"Portland","country":"US","line1":"123 Main St","line2":"Apt 4B","name":"Jane Doe","postalCode":"97201","region":"OR"},"shippingAmount":599,"status":"SHIPPED","subtotal":5998,"taxAmount":0,"updatedAt":"2026-03-24T09:00:00Z"}
        """#

    private let lookups: ReferenceLookups

    /// Adds the revoked-token table (`fillerRows` random ids) to the WAL database
    /// at `path`, which `TrackingReference` created.
    init(path: String, fillerRows: Int = 10_000) throws {
        let writer = try DatabaseQueue(path: path)
        try writer.write { db in
            try db.execute(
                sql: "CREATE TABLE IF NOT EXISTS revoked_access_tokens (jti TEXT PRIMARY KEY, expires_at_ms INTEGER NOT NULL) WITHOUT ROWID"
            )
            for _ in 0..<fillerRows {
                try db.execute(sql: "INSERT OR IGNORE INTO revoked_access_tokens VALUES (hex(randomblob(16)), 0)")
            }
        }
        try writer.close()
        lookups = try ReferenceLookups(path: path)
    }

    func add(to router: Router<BasicRequestContext>) { add(at: "/refetch", to: router) }

    /// The reference's handler at `path`.
    func add<Routes: RouterMethods<BasicRequestContext>>(at path: RouterPath, to routes: Routes) {
        routes.get(path) { request, _ -> Response in
            guard let authorization = request.headers[.authorization], authorization.hasPrefix("Bearer "),
                self.verify(authorization.utf8.dropFirst(7))
            else { return Response(status: .unauthorized) }
            let refused = try self.lookups.first(
                """
                SELECT EXISTS (SELECT 1 FROM revoked_access_tokens WHERE jti = ?1),
                       (SELECT revoked_at_ms FROM order_revocations WHERE order_number = ?2)
                """,
                text: Self.jti,
                second: Self.orderNumber
            ) { sqlite3_column_int64($0, 0) != 0 || sqlite3_column_type($0, 1) != SQLITE_NULL }
            guard refused == false else { return Response(status: .unauthorized) }
            return Response(
                status: .ok,
                headers: [.contentType: "application/json; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: Self.body))
            )
        }
    }

    /// The signature over everything before the last dot, compared in constant time.
    private func verify(_ token: Substring.UTF8View) -> Bool {
        guard let dot = token.lastIndex(of: UInt8(ascii: ".")) else { return false }
        let expected = Array(Self.base64URL(Self.hmac(Array(token[..<dot]))).utf8)
        let given = Array(token[token.index(after: dot)...])
        return given.count == expected.count && CRYPTO_memcmp(given, expected, given.count) == 0
    }

    /// The service's HMAC (`GuestAccessCrypto.HMACKey`: the key's SHA-256
    /// states prepared once, copied per call), not OpenSSL's one-shot
    /// `HMAC()`, which fetches the digest and keys a context on every call.
    private static let signer = HMACKey(secret: key)

    private static func hmac(_ message: [UInt8]) -> [UInt8] { signer.authenticate(message) }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Unpadded base64url, one pass into a preallocated string.
    private static func base64URL(_ bytes: [UInt8]) -> String {
        String(unsafeUninitializedCapacity: (bytes.count * 4 + 2) / 3) { out in
            var written = 0
            var index = 0
            while index < bytes.count {
                let remaining = bytes.count - index
                let b0 = UInt32(bytes[index])
                let b1 = remaining > 1 ? UInt32(bytes[index + 1]) : 0
                let b2 = remaining > 2 ? UInt32(bytes[index + 2]) : 0
                let group = b0 << 16 | b1 << 8 | b2
                for position in 0..<min(4, remaining + 1) {
                    out[written] = alphabet[Int((group >> (18 - 6 * UInt32(position))) & 63)]
                    written += 1
                }
                index += 3
            }
            return written
        }
    }
}

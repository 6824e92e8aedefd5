import Foundation
import GuestAccessCore
import GuestAccessHTTP
import GuestAccessPolicy
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import GuestAccessServer
@testable import GuestAccessService

@Suite("Public tracking and the admin API over real HTTP")
struct TrackingAPITests {
    static let allowedFields: Set<String> = [
        "orderNumber", "status", "paymentStatus", "fulfillmentStatus", "currency", "grandTotal",
        "emailMasked", "shippingCity", "shippingCountry", "items", "createdAt",
    ]
    /// Values of fields the public view must never show.
    static let forbidden = [
        "742 Evergreen Terrace", "Apt 9Z", "99999-0000", "ZZ-REGION", "Secret Recipient", "+1 503 555 0199",
        "Billing", "Billtown", "SKU-SECRET", "7777", "1ZSECRET", "UPS", "subtotal", "phone", "billingAddress",
        "shippingAddress", "unitPrice", "sku", "fulfillments", "updatedAt", "taxAmount", "discountAmount",
    ]

    private func mint(_ client: some TestClientProtocol, _ env: TestEnvironment, _ number: String) async throws -> String {
        let response = try await client.postJSON(
            "/v1/admin/tracking-tokens",
            #"{"orderNumber":"\#(number)"}"#,
            headers: bearer(env.adminKey)
        )
        #expect(response.status == .created)
        let token = try #require(response.json["trackingToken"] as? String)
        TestLogs.secret(token)
        return token
    }

    @Test("The tracking view holds exactly the allowed fields, masked, for every order", arguments: Fixtures.orders.map(\.orderNumber))
    func allowList(orderNumber: String) async throws {
        TestLogs.start()
        let order = try #require(Fixtures.orders.first { $0.orderNumber == orderNumber })
        let env = try TestEnvironment()
        let app = try await buildApplication(reader: env.reader())
        try await app.test(.router) { client in
            let token = try await mint(client, env, order.orderNumber)
            #expect(token.hasPrefix("gt_") && token.count == 35)
            let response = try await client.get("/v1/tracking/\(token)")
            #expect(response.status == .ok)
            let json = response.json
            #expect(Set(json.keys) == Self.allowedFields)
            #expect(json["orderNumber"] as? String == order.orderNumber)
            #expect(json["status"] as? String == order.status.rawValue)
            #expect(json["emailMasked"] as? String == EmailMask.mask(order.email))
            #expect(json["shippingCity"] as? String == order.shippingAddress?.city)
            #expect(json["grandTotal"] as? Int == order.grandTotal)
            let items = try #require(json["items"] as? [[String: Any]])
            #expect(items.count == order.items.count)
            for item in items { #expect(Set(item.keys) == ["name", "quantity", "imageUrl"]) }
            for secret in Self.forbidden + [order.email] {
                #expect(!response.text.contains(secret), "tracking view leaks \(secret)")
            }
            #expect(response.headers[.init("Referrer-Policy")!] == "no-referrer")
            #expect(response.headers[.cacheControl] == "no-store")
            #expect(response.headers[.contentType] == "application/json; charset=utf-8")
        }
    }

    @Test("Revoked, random, malformed and unknown-route lookups give byte-identical 404s")
    func identical404s() async throws {
        TestLogs.start()
        let env = try TestEnvironment()
        let app = try await buildApplication(reader: env.reader())
        try await app.test(.live) { client in
            let token = try await mint(client, env, "ORD-2026-0042")
            let other = try await mint(client, env, "ORD-2026-0043")
            #expect(try await client.get("/v1/tracking/\(token)").status == .ok)
            let revoke = try await client.execute(
                uri: "/v1/admin/orders/ORD-2026-0042/revoke",
                method: .post,
                headers: bearer(env.adminKey)
            )
            #expect(revoke.status == .noContent)
            #expect(try await client.get("/v1/tracking/\(other)").status == .ok)  // other orders unaffected

            let probes = [
                "/v1/tracking/\(token)",  // revoked
                "/v1/tracking/gt_" + String(repeating: "A", count: 32),  // random, well-formed
                "/v1/tracking/gt_short", "/v1/tracking/..%2F..%2Fetc%2Fpasswd", "/v1/tracking/" + String(repeating: "x", count: 2000),
                "/v1/tracking/\(token.dropLast())B",  // one character off
                "/v1/nope", "/",
            ]
            var bodies = Set<String>()
            var headerSets = Set<[String]>()
            for probe in probes {
                let response = try await client.get(probe)
                #expect(response.status == .notFound, "\(probe)")
                bodies.insert(response.text)
                headerSets.insert(
                    response.headers.filter { ![.date, HTTPField.Name("X-Request-Id")!].contains($0.name) }
                        .map { "\($0.name.canonicalName): \($0.value)" }.sorted()
                )
            }
            #expect(bodies == [#"{"error":{"code":"not_found","message":"Not found."}}"#])
            #expect(headerSets.count == 1)
        }
    }

    @Test("The admin API refuses missing, malformed and wrong keys with one 401")
    func adminAuth() async throws {
        TestLogs.start()
        let env = try TestEnvironment()
        let app = try await buildApplication(reader: env.reader())
        try await app.test(.live) { client in
            let attempts: [HTTPFields] = [
                [:], bearer("wrong-key-wrong-key-wrong-key-wrong-key"), bearer(env.adminKey + "x"),
                bearer(String(env.adminKey.dropLast())), [.authorization: "Basic \(env.adminKey)"],
                [.authorization: env.adminKey], bearer(""), bearer(String(repeating: "k", count: 9000)),
            ]
            var bodies = Set<String>()
            for (index, headers) in attempts.enumerated() {
                let mint = try await client.postJSON("/v1/admin/tracking-tokens", #"{"orderNumber":"ORD-2026-0042"}"#, headers: headers)
                let revoke = try await client.execute(uri: "/v1/admin/orders/ORD-2026-0042/revoke", method: .post, headers: headers)
                // Named by position: the headers hold the admin key.
                #expect(mint.status == .unauthorized && revoke.status == .unauthorized, "attempt \(index)")
                bodies.insert(mint.text)
                bodies.insert(revoke.text)
            }
            #expect(bodies == [#"{"error":{"code":"unauthorized","message":"Missing or invalid credentials."}}"#])
            // Lower-case scheme is accepted; unknown orders are 404 for a trusted caller.
            let ok = try await client.postJSON(
                "/v1/admin/tracking-tokens",
                #"{"orderNumber":"ORD-2026-0042"}"#,
                headers: [.authorization: "bearer \(env.adminKey)"]
            )
            #expect(ok.status == .created)
            let unknown = try await client.postJSON(
                "/v1/admin/tracking-tokens",
                #"{"orderNumber":"ORD-1999-0001"}"#,
                headers: bearer(env.adminKey)
            )
            #expect(unknown.status == .notFound && unknown.errorCode == "not_found")
        }
    }

    @Test("Every failure at the edge uses the contract's envelope and headers")
    func edgeErrors() async throws {
        TestLogs.start()
        let env = try TestEnvironment()
        let app = try await buildApplication(reader: env.reader())
        try await app.test(.live) { client in
            let auth = bearer(env.adminKey)
            var cases: [(name: String, response: TestResponse, status: HTTPResponse.Status, code: String)] = []
            cases.append(
                (
                    "malformed JSON", try await client.postJSON("/v1/admin/tracking-tokens", "{bad json", headers: auth), .badRequest,
                    "invalid_request"
                )
            )
            cases.append(
                (
                    "no order number", try await client.postJSON("/v1/admin/tracking-tokens", "{}", headers: auth), .badRequest,
                    "invalid_request"
                )
            )
            cases.append(
                (
                    "order number as a number",
                    try await client.postJSON("/v1/admin/tracking-tokens", #"{"orderNumber":42}"#, headers: auth), .badRequest,
                    "invalid_request"
                )
            )
            cases.append(
                (
                    "path in order number",
                    try await client.postJSON("/v1/admin/tracking-tokens", #"{"orderNumber":"a/../b"}"#, headers: auth), .badRequest,
                    "invalid_request"
                )
            )
            cases.append(
                ("JSON array", try await client.postJSON("/v1/admin/tracking-tokens", "[]", headers: auth), .badRequest, "invalid_request")
            )
            let big = #"{"orderNumber":""# + String(repeating: "A", count: 9000) + #""}"#
            cases.append(
                (
                    "oversized body", try await client.postJSON("/v1/admin/tracking-tokens", big, headers: auth), .contentTooLarge,
                    "payload_too_large"
                )
            )
            var textHeaders = auth
            textHeaders[.contentType] = "text/plain"
            cases.append(
                (
                    "text/plain body", try await client.postJSON("/v1/admin/tracking-tokens", "x", headers: textHeaders),
                    .unsupportedMediaType, "unsupported_media_type"
                )
            )
            textHeaders[.contentType] = "application/json; charset=latin-1"
            cases.append(
                (
                    "JSON in latin-1", try await client.postJSON("/v1/admin/tracking-tokens", "{}", headers: textHeaders),
                    .unsupportedMediaType, "unsupported_media_type"
                )
            )
            cases.append(
                (
                    "DELETE on a tracking token", try await client.execute(uri: "/v1/tracking/abc", method: .delete), .methodNotAllowed,
                    "method_not_allowed"
                )
            )
            cases.append(
                (
                    "GET on tracking-tokens", try await client.execute(uri: "/v1/admin/tracking-tokens", method: .get, headers: auth),
                    .methodNotAllowed, "method_not_allowed"
                )
            )
            cases.append(("unknown route", try await client.execute(uri: "/v1/nowhere", method: .get), .notFound, "not_found"))
            cases.append(
                (
                    "CR/LF as the order number to revoke",
                    try await client.execute(uri: "/v1/admin/orders/%0D%0A/revoke", method: .post, headers: auth), .badRequest,
                    "invalid_request"
                )
            )
            var huge: HTTPFields = [:]
            huge[HTTPField.Name("X-Padding")!] = String(repeating: "p", count: 20000)
            cases.append(("a 20,000-byte header", try await client.get("/healthz", headers: huge), .badRequest, "invalid_request"))
            var many: HTTPFields = [:]
            for index in 0..<80 { many.append(HTTPField(name: HTTPField.Name("X-H\(index)")!, value: "v")) }
            cases.append(("80 headers", try await client.get("/healthz", headers: many), .badRequest, "invalid_request"))

            for (name, response, status, code) in cases {
                #expect(response.status == status, "\(name): \(response.text)")
                #expect(response.errorCode == code, "\(name)")
                #expect(Set(response.json.keys) == ["error"], "\(name)")
                #expect(response.headers[.contentType] == "application/json; charset=utf-8", "\(name)")
                #expect(response.headers[.cacheControl] == "no-store", "\(name)")
                #expect(response.headers[.init("X-Content-Type-Options")!] == "nosniff", "\(name)")
                #expect(response.headers[.init("X-Request-Id")!]?.count == 16, "\(name)")
            }
            let ids = try await (0..<5).asyncMap { _ in try await client.get("/healthz").headers[.init("X-Request-Id")!] }
            #expect(Set(ids).count == 5)
        }
    }

    @Test("Health and readiness answer, and the database holds token digests, never tokens")
    func healthAndStorage() async throws {
        TestLogs.start()
        let env = try TestEnvironment()
        let app = try await buildApplication(reader: env.reader())
        let token = try await app.test(.live) { client in
            #expect(try await client.get("/healthz").json["status"] as? String == "ok")
            #expect(try await client.get("/readyz").json["status"] as? String == "ready")
            return try await mint(client, env, "ORD-2026-0044")
        }
        var database = Data()
        for suffix in ["", "-wal"] {
            database += (try? Data(contentsOf: URL(fileURLWithPath: env.directory + "/guest-access.sqlite" + suffix))) ?? Data()
        }
        #expect(database.count > 0)
        #expect(database.range(of: Data(token.utf8)) == nil)
        #expect(database.range(of: Data(token.dropFirst(3).utf8)) == nil)
        let logs = TestLogs.sink.captured.joined()
        #expect(!logs.contains(token) && !logs.contains(env.adminKey))
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out = [T]()
        for element in self { out.append(try await transform(element)) }
        return out
    }
}

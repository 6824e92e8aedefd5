import Foundation
import GuestAccessHTTP
import GuestAccessPolicy
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import Yams

@testable import GuestAccessServer
@testable import GuestAccessService

@Suite("The OpenAPI document")
struct OpenAPITests {
    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("openapi.yaml").path

    @Test("/openapi.yaml serves the repository's openapi.yaml, an OpenAPI 3.1 document naming every route of the contract")
    func servedDocument() async throws {
        let file = try String(contentsOfFile: Self.path, encoding: .utf8)
        #expect(String(decoding: OpenAPIController.document, as: UTF8.self) == file)
        let env = try TestEnvironment()
        let app = try await buildApplication(reader: env.reader())
        try await app.test(.router) { client in
            let response = try await client.get("/openapi.yaml")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/yaml; charset=utf-8")
            #expect(response.headers[.cacheControl] == "no-store")
            #expect(response.text == file)
        }
        let document = try #require(try Yams.load(yaml: file) as? [String: Any])
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: Any])
        #expect(
            Set(paths.keys) == [
                "/v1/tracking/{trackingToken}", "/v1/access-codes", "/v1/access-codes/verify", "/v1/guest/order", "/v1/guest/token",
                "/v1/admin/tracking-tokens", "/v1/admin/orders/{orderNumber}/revoke", "/healthz", "/readyz", "/metrics",
                "/openapi.yaml",
            ]
        )
        let codes =
            ((((document["components"] as? [String: Any])?["schemas"] as? [String: Any])?["Error"] as? [String: Any])?[
                "properties"
            ] as? [String: Any]).flatMap { ($0["error"] as? [String: Any])?["properties"] as? [String: Any] }
        let errorCodes = (codes?["code"] as? [String: Any])?["enum"] as? [String]
        #expect(
            Set(errorCodes ?? []) == [
                "invalid_request", "invalid_code", "unauthorized", "not_found", "method_not_allowed", "payload_too_large",
                "unsupported_media_type", "rate_limited", "unavailable", "internal",
            ]
        )
        // Every path and method the document names is in the route table the 405 answers come from, and no other.
        let documented = paths.flatMap { path, operations in
            ((operations as? [String: Any]) ?? [:]).keys.filter { $0 != "parameters" }.map { "\($0.uppercased()) \(path)" }
        }
        let served = RouteTable.routes.flatMap { route in route.methods.map { "\($0.rawValue) \(route.template)" } }
        #expect(Set(documented) == Set(served))
    }

    /// A known path, a method it does not serve, and the Allow header the 405 must carry.
    struct UnservedMethod: Sendable, CustomTestStringConvertible {
        let method: HTTPRequest.Method
        let path: String
        let allow: String

        var testDescription: String { "\(method) \(path)" }
    }

    static let unservedMethods = [
        UnservedMethod(method: .trace, path: "/v1/guest/order", allow: "GET, HEAD"),
        UnservedMethod(method: .put, path: "/v1/access-codes", allow: "POST"),
        UnservedMethod(method: .get, path: "/v1/access-codes/verify", allow: "POST"),
        UnservedMethod(method: .patch, path: "/v1/tracking/gt_abc", allow: "GET, HEAD"),
        UnservedMethod(method: .delete, path: "/v1/admin/orders/ORD-1/revoke", allow: "POST"),
        UnservedMethod(method: .post, path: "/healthz", allow: "GET, HEAD"),
    ]

    @Test("A known path asked with a method it does not serve answers 405 with Allow", arguments: OpenAPITests.unservedMethods)
    func methodNotAllowed(_ unserved: UnservedMethod) async throws {
        TestLogs.start()
        let env = try TestEnvironment()
        let app = try await buildApplication(reader: env.reader())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: unserved.path, method: unserved.method)
            #expect(response.status == .methodNotAllowed)
            #expect(response.headers[.allow] == unserved.allow)
            #expect(response.errorCode == "method_not_allowed")
        }
    }

    @Test("An unknown path answers 404, not 405, and HEAD /healthz is served")
    func unknownPathAndHead() async throws {
        TestLogs.start()
        let env = try TestEnvironment()
        let app = try await buildApplication(reader: env.reader())
        try await app.test(.router) { client in
            let unknown = try await client.execute(uri: "/v1/nowhere", method: .trace)
            #expect(unknown.status == .notFound)
            let head = try await client.execute(uri: "/healthz", method: .head)
            #expect(head.status == .ok)
        }
    }
}

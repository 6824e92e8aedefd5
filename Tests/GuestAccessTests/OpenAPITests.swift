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
        try await app.test(.live) { client in
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

    @Test("A known path asked with a method it does not serve answers 405 with Allow; an unknown path 404")
    func methodNotAllowed() async throws {
        TestLogs.start()
        let env = try TestEnvironment()
        let app = try await buildApplication(reader: env.reader())
        try await app.test(.live) { client in
            for (method, path, allow) in [
                (HTTPRequest.Method.trace, "/v1/guest/order", "GET, HEAD"), (.put, "/v1/access-codes", "POST"),
                (.get, "/v1/access-codes/verify", "POST"), (.patch, "/v1/tracking/gt_abc", "GET, HEAD"),
                (.delete, "/v1/admin/orders/ORD-1/revoke", "POST"), (.post, "/healthz", "GET, HEAD"),
            ] {
                let response = try await client.execute(uri: path, method: method)
                #expect(response.status == .methodNotAllowed, "\(method) \(path)")
                #expect(response.headers[.allow] == allow, "\(method) \(path)")
                #expect(response.errorCode == "method_not_allowed")
            }
            #expect(try await client.execute(uri: "/v1/nowhere", method: .trace).status == .notFound)
            #expect(try await client.execute(uri: "/healthz", method: .head).status == .ok)
        }
    }
}

import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// Small helpers over HummingbirdTesting's live client (real HTTP on loopback).
extension TestClientProtocol {
    func get(_ uri: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        try await execute(uri: uri, method: .get, headers: headers)
    }

    func postJSON(_ uri: String, _ body: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        var headers = headers
        if headers[.contentType] == nil { headers[.contentType] = "application/json" }
        return try await execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    /// Mints a tracking token for `orderNumber` through the admin API; the
    /// token is registered as a secret the captured logs must not hold.
    func mintTrackingToken(_ orderNumber: String, adminKey: String) async throws -> String {
        let response = try await postJSON(
            "/v1/admin/tracking-tokens",
            #"{"orderNumber":"\#(orderNumber)"}"#,
            headers: bearer(adminKey)
        )
        let token = try #require(response.json["trackingToken"] as? String, "mint answered \(response.status)")
        TestLogs.secret(token)
        return token
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }

    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
    }

    var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
}

func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)"] }

import Foundation
import GuestAccessCore
import GuestAccessPolicy
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import GuestAccessHTTP
@testable import GuestAccessServer
@testable import GuestAccessService

@Suite("Bad input: every malformed request gets a 4xx envelope, never a 5xx")
struct BadInputTests {
    static let email = "jane.doe@example.com"
    static let order = "ORD-2026-0042"

    /// (name, path, raw body, expected status)
    static let cases: [(String, String, [UInt8], Int)] = {
        func body(_ text: String) -> [UInt8] { Array(text.utf8) }
        let nested = String(repeating: "[", count: 3000) + String(repeating: "]", count: 3000)
        var rows: [(String, String, [UInt8], Int)] = [
            (
                "duplicate key", "/v1/access-codes",
                body(#"{"orderNumber":"\#(order)","orderNumber":"ORD-2026-0043","email":"\#(email)"}"#), 400
            ),
            (
                "duplicate key spelt with an escape", "/v1/access-codes",
                body(#"{"orderNumber":"\#(order)","\u006frderNumber":"X","email":"\#(email)"}"#), 400
            ),
            ("deeply nested JSON", "/v1/access-codes", body(#"{"orderNumber":\#(nested),"email":"\#(email)"}"#), 400),
            (
                "invalid UTF-8", "/v1/access-codes", [0x7B, 0x22, 0x65, 0x6D, 0x61, 0x69, 0x6C, 0x22, 0x3A, 0x22, 0xFF, 0xFE, 0x22, 0x7D],
                400
            ),
            ("raw NUL byte", "/v1/access-codes", body("{\"orderNumber\":\"\(order)\",\"email\":\"jane\u{0}@example.com\"}"), 400),
            ("escaped NUL in email", "/v1/access-codes", body(#"{"orderNumber":"\#(order)","email":"jane\u0000@example.com"}"#), 400),
            (
                "CR/LF in email", "/v1/access-codes",
                body(#"{"orderNumber":"\#(order)","email":"jane@example.com\r\nBcc: all@example.com"}"#), 400
            ),
            (
                "right-to-left override in email", "/v1/access-codes",
                body(#"{"orderNumber":"\#(order)","email":"jane\u202e@example.com"}"#), 400
            ),
            ("zero-width space in email", "/v1/access-codes", body(#"{"orderNumber":"\#(order)","email":"ja\u200bne@example.com"}"#), 400),
            ("fullwidth digits in order number", "/v1/access-codes", body(#"{"orderNumber":"ORD-２０２６","email":"\#(email)"}"#), 400),
            ("CR/LF in order number", "/v1/access-codes", body(#"{"orderNumber":"ORD-1\r\nX","email":"\#(email)"}"#), 400),
            ("path in order number", "/v1/access-codes", body(#"{"orderNumber":"../../admin","email":"\#(email)"}"#), 400),
            (
                "order number too long", "/v1/access-codes",
                body(#"{"orderNumber":"\#(String(repeating: "A", count: 65))","email":"\#(email)"}"#), 400
            ),
            (
                "email too long", "/v1/access-codes",
                body(#"{"orderNumber":"\#(order)","email":"\#(String(repeating: "a", count: 250))@example.com"}"#), 400
            ),
            (
                "a key the endpoint does not take", "/v1/access-codes", body(#"{"orderNumber":"\#(order)","email":"\#(email)","emial":1}"#),
                400
            ),
            ("C1 control in email", "/v1/access-codes", body(#"{"orderNumber":"\#(order)","email":"\u0095@example.com"}"#), 400),
            ("order number as a number", "/v1/access-codes", body(#"{"orderNumber":42,"email":"\#(email)"}"#), 400),
            ("order number as an array", "/v1/access-codes", body(#"{"orderNumber":["\#(order)"],"email":"\#(email)"}"#), 400),
            ("order number null", "/v1/access-codes", body(#"{"orderNumber":null,"email":"\#(email)"}"#), 400),
            ("email as an object", "/v1/access-codes", body(#"{"orderNumber":"\#(order)","email":{"a":1}}"#), 400),
            ("code where none belongs", "/v1/access-codes", body(#"{"orderNumber":"\#(order)","email":"\#(email)","code":"123456"}"#), 400),
            ("empty body", "/v1/access-codes", [], 400),
            ("JSON null", "/v1/access-codes", body("null"), 400),
            ("JSON array", "/v1/access-codes", body("[]"), 400),
            ("JSON string", "/v1/access-codes", body(#""hello""#), 400),
            (
                "an unknown extra field is refused", "/v1/access-codes",
                body(#"{"orderNumber":"\#(order)","email":"\#(email)","admin":true}"#), 400
            ),
            (
                "homoglyph email is just another address", "/v1/access-codes",
                body(#"{"orderNumber":"\#(order)","email":"jаne.doe@example.com"}"#), 202
            ),
            ("code as a number", "/v1/access-codes/verify", body(#"{"orderNumber":"\#(order)","email":"\#(email)","code":482913}"#), 400),
            (
                "code with fullwidth digits", "/v1/access-codes/verify",
                body(#"{"orderNumber":"\#(order)","email":"\#(email)","code":"４８２９１３"}"#), 400
            ),
            ("code too short", "/v1/access-codes/verify", body(#"{"orderNumber":"\#(order)","email":"\#(email)","code":"12345"}"#), 400),
            ("code with a sign", "/v1/access-codes/verify", body(#"{"orderNumber":"\#(order)","email":"\#(email)","code":"+12345"}"#), 400),
            ("missing code", "/v1/access-codes/verify", body(#"{"orderNumber":"\#(order)","email":"\#(email)"}"#), 400),
            (
                "duplicate code", "/v1/access-codes/verify",
                body(#"{"orderNumber":"\#(order)","email":"\#(email)","code":"111111","code":"222222"}"#), 400
            ),
        ]
        rows.append(
            (
                "oversized body", "/v1/access-codes",
                body(#"{"orderNumber":"\#(order)","email":"\#(String(repeating: "a", count: 9000))"}"#), 413
            )
        )
        return rows
    }()

    @Test("Malformed bodies are refused by their bytes alone, with the envelope, and the service stays healthy")
    func table() async throws {
        TestLogs.start()
        let env = try TestEnvironment(policy: TestEnvironment.fastPolicy)
        let app = try await buildApplication(reader: env.reader())
        try await app.test(.router) { client in
            for (name, path, bytes, expected) in Self.cases {
                let response = try await client.execute(
                    uri: path,
                    method: .post,
                    headers: [.contentType: "application/json"],
                    body: ByteBuffer(bytes: bytes)
                )
                #expect(Int(response.status.code) == expected, "\(name): \(response.status.code) \(response.text)")
                if expected >= 400 {
                    #expect(response.errorCode == (expected == 413 ? "payload_too_large" : "invalid_request"), "\(name)")
                }
            }
            for path in [
                "/v1/tracking/..%2f..%2fadmin", "/v1/tracking/%00", "/v1/tracking/gt_%0d%0aSet-Cookie:x", "/v1/tracking/%C0%AE%C0%AE",
            ] {
                let response = try await client.get(path)
                #expect(response.status == .notFound && response.errorCode == "not_found", "\(path)")
            }
            // Still healthy: it answers, and a well-formed request still reaches storage.
            #expect(try await client.get("/healthz").status == .ok)
            let order = Fixtures.orders[0]
            let wellFormed = try await client.postJSON("/v1/access-codes", VerifiedAccessTests.body(order.orderNumber, order.email))
            #expect(wellFormed.status == .accepted)
        }
    }

    @Test("A slow-loris body is cut off at the request deadline with 503, and the service keeps serving")
    func slowLoris() async throws {
        TestLogs.start()
        let policy = TestEnvironment.fastPolicy.with { $0.http.requestTimeoutSeconds = 1 }
        let env = try TestEnvironment(policy: policy)
        let app = try await buildApplication(reader: env.reader())
        try await app.test(.live) { client in
            let port = try #require(client.port)
            // The client waits at most 5 s (its receive timeout) for a body it never finishes:
            // a 503 at all means the 1 s deadline cut it, not the 30 s idle timeout. No bound
            // tighter than that: on two loaded cores the answer has taken 4.1 s.
            let answer = try await Self.stalledRequest(port: port)
            #expect(answer.hasPrefix("HTTP/1.1 503"), "\(answer)")
            #expect(answer.contains(#""code":"unavailable""#))
            #expect(try await client.get("/healthz").status == .ok)
        }
    }

    /// Sends headers and 14 of 100 promised body bytes, then stalls; returns what the server answers.
    static func stalledRequest(port: Int) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                defer { close(fd) }
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                address.sin_port = in_port_t(UInt16(port).bigEndian)
                address.sin_addr.s_addr = inet_addr("127.0.0.1")
                var timeout = timeval(tv_sec: 5, tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                let connected = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
                guard connected == 0 else { return continuation.resume(throwing: CocoaError(.fileReadUnknown)) }
                let head =
                    "POST /v1/access-codes HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"orderNumber\""
                _ = head.withCString { send(fd, $0, strlen($0), 0) }
                var buffer = [UInt8](repeating: 0, count: 4096)
                let count = recv(fd, &buffer, buffer.count, 0)
                continuation.resume(returning: count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : "")
            }
        }
    }

    @Test("The duplicate-key check compares decoded keys at every depth and only keys")
    func duplicateKeys() {
        func dup(_ text: String) -> Bool { DuplicateKeyCheck.hasDuplicateKeys(Array(text.utf8)) }
        #expect(dup(#"{"a":1,"a":2}"#))
        #expect(dup(#"{"a":1,"\u0061":2}"#))
        #expect(dup(#"{"x":{"b":1,"b":2}}"#))
        #expect(dup(#"[{"c":1},{"d":[{"e":1,"e":1}]}]"#))
        #expect(!dup(#"{"a":"a","b":"a"}"#))
        #expect(!dup(#"{"a":{"a":1},"b":[{"a":1},{"a":2}]}"#))
        #expect(!dup(#"{"a\"b":1,"ab":2}"#))
    }
}

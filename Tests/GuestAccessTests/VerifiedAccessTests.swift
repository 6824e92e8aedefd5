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

@Suite("Verified guest access over real HTTP and a real SQLite file")
struct VerifiedAccessTests {
    static let order = Fixtures.orders[0]  // ORD-2026-0042, jane.doe@example.com

    static func body(_ number: String, _ email: String, _ code: String? = nil) -> String {
        code.map { #"{"orderNumber":"\#(number)","email":"\#(email)","code":"\#($0)"}"# }
            ?? #"{"orderNumber":"\#(number)","email":"\#(email)"}"#
    }

    static func comparable(_ response: TestResponse) -> String {
        let headers = response.headers.filter { ![.date, HTTPField.Name("X-Request-Id")!].contains($0.name) }
            .map { "\($0.name.canonicalName): \($0.value)" }.sorted()
        return "\(response.status.code)|\(headers.joined(separator: ";"))|\(response.text)"
    }

    /// Requests a code for the fixture order and returns it from the outbox.
    static func requestCode(_ client: some TestClientProtocol, _ env: TestEnvironment, count: Int = 1) async throws -> String {
        let response = try await client.postJSON("/v1/access-codes", body(order.orderNumber, "  Jane.Doe@Example.COM "))
        #expect(response.status == .accepted)
        return try await env.waitForCode(order.orderNumber, count: count)
    }

    /// Waits until the worker has finished every code request (sent, or ended without a code), so the outbox is final.
    static func waitForQueueDrained(_ env: TestEnvironment) async throws {
        try await waitUntil("the worker has finished every code request", poll: .milliseconds(20)) {
            try DatabaseInspector(directory: env.directory).requestCounts().pending == 0
        }
    }

    /// Sends one verify per code, all at once, for the fixture order and its email.
    static func verifyConcurrently(_ client: some TestClientProtocol, codes: [String]) async throws -> [HTTPResponse.Status] {
        try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
            for code in codes {
                group.addTask {
                    try await client.postJSON("/v1/access-codes/verify", body(order.orderNumber, "jane.doe@example.com", code)).status
                }
            }
            return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
        }
    }

    static func wrong(_ code: String) -> String { String(format: "%06d", (Int(code)! + 1) % 1_000_000) }

    @Test("Requesting a code answers the same 202 for every case, and only the email on record receives a code")
    func requestIsUniform() async throws {
        TestLogs.start()
        let env = try TestEnvironment(policy: TestEnvironment.fastPolicy)
        let app = try await buildApplication(reader: env.reader())
        try await app.test(.live) { client in
            let cases = [
                Self.body("ORD-2026-0042", "jane.doe@example.com"),  // right order, right email
                Self.body("ORD-2026-0042", "attacker@evil.example"),  // right order, wrong email
                Self.body("ORD-1999-0000", "jane.doe@example.com"),  // no such order
                Self.body("ORD-2026-0043", "JANE.DOE@example.com"),  // another order's owner
            ]
            var seen = Set<String>()
            for body in cases {
                let response = try await client.postJSON("/v1/access-codes", body)
                #expect(response.status == .accepted, "\(body)")
                #expect(response.text == #"{"status":"accepted"}"#, "\(body)")
                seen.insert(Self.comparable(response))
            }
            #expect(seen.count == 1)
            _ = try await env.waitForCode("ORD-2026-0042")
            try await Self.waitForQueueDrained(env)
            let messages = env.outbox()
            #expect(messages.count == 1)
            #expect(messages.first?["to"] == "jane.doe@example.com")
            #expect(messages.first?["code"]?.count == 6)
        }
    }

    @Test(
        "A malformed code request is 400 on its bytes alone",
        arguments: [
            VerifiedAccessTests.body("ORD/1", "a@b.co"), VerifiedAccessTests.body("ORD-1", "not-an-email"),
            VerifiedAccessTests.body("ORD-1", "a@b.co\\r\\nBcc: x@y.z"), "{}",
        ]
    )
    func malformedRequest(requestBody: String) async throws {
        TestLogs.start()
        let env = try TestEnvironment(policy: TestEnvironment.fastPolicy)
        let app = try await buildApplication(reader: env.reader())
        try await app.test(.router) { client in
            let response = try await client.postJSON("/v1/access-codes", requestBody)
            #expect(response.status == .badRequest && response.errorCode == "invalid_request")
        }
    }

    @Test("A right code yields the full order and an access token once; the same code then fails")
    func verifyOnce() async throws {
        TestLogs.start()
        let env = try TestEnvironment(policy: TestEnvironment.fastPolicy)
        let app = try await buildApplication(reader: env.reader())
        try await app.test(.live) { client in
            let code = try await Self.requestCode(client, env)
            let ok = try await client.postJSON("/v1/access-codes/verify", Self.body(Self.order.orderNumber, " JANE.doe@example.com", code))
            #expect(ok.status == .ok)
            #expect(ok.json["tokenType"] as? String == "Bearer")
            #expect(ok.json["expiresIn"] as? Int == 1800)
            let orderJSON = try JSONSerialization.data(withJSONObject: try #require(ok.json["order"]))
            #expect(try JSONDecoder().decode(OrderDetail.self, from: orderJSON) == Self.order)
            let token = try #require(ok.json["accessToken"] as? String)
            TestLogs.secret(token)
            #expect(token.split(separator: ".").count == 3)

            let again = try await client.postJSON(
                "/v1/access-codes/verify",
                Self.body(Self.order.orderNumber, "jane.doe@example.com", code)
            )
            #expect(again.status == .unauthorized && again.errorCode == "invalid_code")

            let refetch = try await client.get("/v1/guest/order", headers: bearer(token))
            #expect(refetch.status == .ok)
            #expect(try JSONDecoder().decode(OrderDetail.self, from: Data(refetch.body.readableBytesView)) == Self.order)
            let signOut = try await client.execute(uri: "/v1/guest/token", method: .delete, headers: bearer(token))
            #expect(signOut.status == .noContent)
            let after = try await client.get("/v1/guest/order", headers: bearer(token))
            #expect(after.status == .unauthorized && after.errorCode == "unauthorized")
        }
        let logs = TestLogs.sink.captured.joined()
        for message in env.outbox() { #expect(!logs.contains(#""\#(message["code"]!)""#) && !logs.contains(message["to"]!)) }
        let database = DatabaseInspector(directory: env.directory).allBytes()
        #expect(database.range(of: Data("jane.doe@example.com".utf8)) == nil)
        for message in env.outbox() { #expect(database.range(of: Data(message["code"]!.utf8)) == nil) }
    }

    @Test("Every verify answer but an outage takes at least the response floor: wrong code, unknown order, wrong email, success")
    func responseFloor() async throws {
        TestLogs.start()
        let floor = Duration.milliseconds(300)
        let env = try TestEnvironment(policy: TestEnvironment.fastPolicy.with { $0.codes.responseFloorMilliseconds = 300 })
        let app = try await buildApplication(reader: env.reader())
        try await app.test(.live) { client in
            let code = try await Self.requestCode(client, env)
            let wrong = code == "000000" ? "000001" : "000000"
            let attempts: [(String, String, String, HTTPResponse.Status)] = [
                ("wrong code", Self.order.orderNumber, wrong, .unauthorized),
                ("unknown order", "ORD-NOPE-404", code, .unauthorized),
                ("wrong email", Self.order.orderNumber, code, .unauthorized),
                ("right code", Self.order.orderNumber, code, .ok),
            ]
            for (name, number, attempt, status) in attempts {
                let email = name == "wrong email" ? "mallory@example.com" : Self.order.email
                let started = ContinuousClock.now
                let response = try await client.postJSON("/v1/access-codes/verify", Self.body(number, email, attempt))
                let elapsed = ContinuousClock.now - started
                #expect(response.status == status, "\(name)")
                #expect(elapsed >= floor, "\(name) answered after \(elapsed), under the \(floor) floor")
                if let token = response.json["accessToken"] as? String { TestLogs.secret(token) }
            }
        }
    }

    @Test("Every line a request logs, from the access log to the use case, carries the request id it answered with")
    func requestIDInEveryLine() async throws {
        TestLogs.start()
        let env = try TestEnvironment(policy: TestEnvironment.fastPolicy)
        let app = try await buildApplication(reader: env.reader())
        let requestID = try await app.test(.live) { client in
            let code = try await Self.requestCode(client, env)
            let ok = try await client.postJSON("/v1/access-codes/verify", Self.body(Self.order.orderNumber, Self.order.email, code))
            #expect(ok.status == .ok)
            TestLogs.secret(try #require(ok.json["accessToken"] as? String))
            return try #require(ok.headers[HTTPField.Name("X-Request-Id")!])
        }
        #expect(requestID.count == 16)
        let lines = TestLogs.sink.captured.joined().split(separator: "\n").filter { $0.contains(#""request_id":"\#(requestID)""#) }
        #expect(lines.contains { $0.contains(#""msg":"access token issued""#) }, "the use case's own line")
        #expect(lines.contains { $0.contains(#""msg":"request""#) && $0.contains(#""route":"/v1/access-codes/verify""#) })
    }

    @Test("100 concurrent wrong guesses evaluate at most 5, burn the code, and the right code then fails")
    func concurrentWrongGuesses() async throws {
        TestLogs.start()
        let env = try TestEnvironment(policy: TestEnvironment.fastPolicy)
        let app = try await buildApplication(reader: env.reader())
        try await app.test(.live) { client in
            let code = try await Self.requestCode(client, env)
            let guesses = (0..<100).map { String(format: "%06d", (Int(code)! + 1 + $0) % 1_000_000) }
            let statuses = try await Self.verifyConcurrently(client, codes: guesses)
            #expect(statuses.allSatisfy { $0 == .unauthorized })
            let state = try #require(try DatabaseInspector(directory: env.directory).codeState(Self.order.orderNumber))
            #expect(state.attempts == 5)
            #expect(!state.used)
            let right = try await client.postJSON(
                "/v1/access-codes/verify",
                Self.body(Self.order.orderNumber, "jane.doe@example.com", code)
            )
            #expect(right.status == .unauthorized)
        }
    }

    @Test("20 concurrent right guesses succeed exactly once")
    func concurrentRightGuesses() async throws {
        TestLogs.start()
        let env = try TestEnvironment(policy: TestEnvironment.fastPolicy)
        let app = try await buildApplication(reader: env.reader())
        try await app.test(.live) { client in
            let code = try await Self.requestCode(client, env)
            let statuses = try await Self.verifyConcurrently(client, codes: Array(repeating: code, count: 20))
            #expect(statuses.filter { $0 == .ok }.count == 1)
            #expect(statuses.filter { $0 == .unauthorized }.count == 19)
        }
    }

    @Test("Every verify failure is byte-identical: wrong, used, burned, none requested, unknown order, wrong email, locked")
    func identicalFailures() async throws {
        TestLogs.start()
        // A budget of 7 reaches the lock in this script: after the success resets it, 5 wrong
        // guesses burn the second code, the right code against the burned one is the 6th
        // failure, and one wrong guess against a third code is the 7th, which locks the order.
        let policy = TestEnvironment.fastPolicy.with {
            $0.failureBudget.consecutivePerOrder = 7
            $0.failureBudget.dailyPerOrder = 100
        }
        let env = try TestEnvironment(policy: policy)
        let app = try await buildApplication(reader: env.reader())
        try await app.test(.live) { client in
            let number = Self.order.orderNumber
            let email = "jane.doe@example.com"
            var failures = [String: TestResponse]()
            let first = try await Self.requestCode(client, env)
            failures["wrong code"] = try await client.postJSON("/v1/access-codes/verify", Self.body(number, email, Self.wrong(first)))
            failures["wrong email"] = try await client.postJSON("/v1/access-codes/verify", Self.body(number, "jane.doe@example.org", first))
            failures["unknown order"] = try await client.postJSON("/v1/access-codes/verify", Self.body("ORD-1999-0000", email, first))
            failures["no code requested"] = try await client.postJSON(
                "/v1/access-codes/verify",
                Self.body("ORD-2026-0043", "x@mail.shop.example.co.uk", "123456")
            )
            #expect(try await client.postJSON("/v1/access-codes/verify", Self.body(number, email, first)).status == .ok)
            failures["used code"] = try await client.postJSON("/v1/access-codes/verify", Self.body(number, email, first))

            let second = try await Self.requestCode(client, env, count: 2)
            for _ in 0..<5 { _ = try await client.postJSON("/v1/access-codes/verify", Self.body(number, email, Self.wrong(second))) }
            failures["burned code"] = try await client.postJSON("/v1/access-codes/verify", Self.body(number, email, second))

            // The order has 6 consecutive failures; one more against a fresh code locks it.
            let third = try await Self.requestCode(client, env, count: 3)
            _ = try await client.postJSON("/v1/access-codes/verify", Self.body(number, email, Self.wrong(third)))
            failures["locked order"] = try await client.postJSON("/v1/access-codes/verify", Self.body(number, email, third))

            let distinct = Set(failures.values.map(Self.comparable))
            #expect(distinct.count == 1, "\(failures.mapValues(Self.comparable))")
            #expect(failures["locked order"]?.text == #"{"error":{"code":"invalid_code","message":"The code is invalid or has expired."}}"#)
            // A locked order gets no further codes, silently: the same 202 as an order that is not locked.
            let before = env.outbox().count
            let lockedRequest = try await client.postJSON("/v1/access-codes", Self.body(number, email))
            let openRequest = try await client.postJSON("/v1/access-codes", Self.body("ORD-2026-0043", "x@mail.shop.example.co.uk"))
            #expect(Self.comparable(lockedRequest) == Self.comparable(openRequest))
            _ = try await env.waitForCode("ORD-2026-0043")
            try await Self.waitForQueueDrained(env)
            #expect(env.outbox().filter { $0["orderNumber"] == number }.count == before)
        }
    }

    @Test("Attempts survive a restart: 4 wrong, restart, 1 wrong burns the code; a code from before a restart verifies after it")
    func restart() async throws {
        TestLogs.start()
        let env = try TestEnvironment(policy: TestEnvironment.fastPolicy)
        let number = Self.order.orderNumber
        let email = "jane.doe@example.com"
        let first = try await buildApplication(reader: env.reader()).test(.live) { client in
            let code = try await Self.requestCode(client, env)
            for _ in 0..<4 { _ = try await client.postJSON("/v1/access-codes/verify", Self.body(number, email, Self.wrong(code))) }
            return code
        }
        let second = try await buildApplication(reader: env.reader()).test(.live) { client in
            _ = try await client.postJSON("/v1/access-codes/verify", Self.body(number, email, Self.wrong(first)))
            #expect(try await client.postJSON("/v1/access-codes/verify", Self.body(number, email, first)).status == .unauthorized)
            return try await Self.requestCode(client, env, count: 2)
        }
        try await buildApplication(reader: env.reader()).test(.live) { client in
            let status = try await client.postJSON("/v1/access-codes/verify", Self.body(number, email, second)).status
            #expect(status == .ok)
        }
    }

    @Test("A request accepted while delivery fails is delivered after a restart")
    func durableDelivery() async throws {
        TestLogs.start()
        let env = try TestEnvironment(policy: TestEnvironment.fastPolicy)
        let broken = env.directory + "/missing-dir/outbox.jsonl"
        try await buildApplication(reader: env.reader([Setting.mailer.key: "file:" + broken])).test(.live) { client in
            #expect(
                try await client.postJSON("/v1/access-codes", Self.body(Self.order.orderNumber, "jane.doe@example.com")).status == .accepted
            )
            try await waitUntil("a delivery to the broken mailer has failed", poll: .milliseconds(20)) {
                try DatabaseInspector(directory: env.directory).deliveryRetries() >= 1
            }
        }
        #expect(env.outbox().isEmpty)
        try await buildApplication(reader: env.reader()).test(.live) { client in
            let code = try await env.waitForCode(Self.order.orderNumber, timeout: .seconds(15))
            #expect(
                try await client.postJSON("/v1/access-codes/verify", Self.body(Self.order.orderNumber, "jane.doe@example.com", code)).status
                    == .ok
            )
        }
    }

    @Test("Codes per order are limited silently: the fourth request in the window answers 202 and sends nothing")
    func issuanceLimit() async throws {
        TestLogs.start()
        let env = try TestEnvironment(policy: TestEnvironment.fastPolicy)
        let app = try await buildApplication(reader: env.reader())
        try await app.test(.live) { client in
            var seen = Set<String>()
            for count in 1...4 {
                let response = try await client.postJSON("/v1/access-codes", Self.body(Self.order.orderNumber, "jane.doe@example.com"))
                seen.insert(Self.comparable(response))
                if count <= 3 { _ = try await env.waitForCode(Self.order.orderNumber, count: count) }
            }
            try await Self.waitForQueueDrained(env)
            #expect(seen.count == 1)
            #expect(env.outbox().filter { $0["orderNumber"] == Self.order.orderNumber }.count == 3)
        }
    }

    @Test("Admin revoke kills the order's access tokens and pending codes")
    func adminRevoke() async throws {
        TestLogs.start()
        let env = try TestEnvironment(policy: TestEnvironment.fastPolicy)
        let app = try await buildApplication(reader: env.reader())
        try await app.test(.live) { client in
            let number = Self.order.orderNumber
            let code = try await Self.requestCode(client, env)
            let ok = try await client.postJSON("/v1/access-codes/verify", Self.body(number, "jane.doe@example.com", code))
            let token = try #require(ok.json["accessToken"] as? String)
            let pending = try await Self.requestCode(client, env, count: 2)
            try await Task.sleep(for: .milliseconds(1100))  // iat is in whole seconds
            #expect(
                try await client.execute(uri: "/v1/admin/orders/\(number)/revoke", method: .post, headers: bearer(env.adminKey)).status
                    == .noContent
            )
            #expect(try await client.get("/v1/guest/order", headers: bearer(token)).status == .unauthorized)
            #expect(
                try await client.postJSON("/v1/access-codes/verify", Self.body(number, "jane.doe@example.com", pending)).status
                    == .unauthorized
            )
        }
    }

    @Test("Per-client limits answer 429 with Retry-After; X-Forwarded-For counts only from a trusted proxy")
    func rateLimits() async throws {
        TestLogs.start()
        let env = try TestEnvironment(
            policy: Policy.default.with {
                $0.rateLimits.perClientBurst = 3
                $0.rateLimits.perClientPerSecond = 1
            }
        )
        let untrusted = try await buildApplication(reader: env.reader())
        try await untrusted.test(.live) { client in
            // Burst 3, refill 1/s: whatever the machine's speed, the first 3 pass, a forged
            // X-Forwarded-For never earns more, and passes stay within burst + refill.
            var statuses = [HTTPResponse.Status]()
            let started = ContinuousClock.now
            for index in 0..<3 {
                statuses.append(
                    try await client.get("/v1/tracking/gt_x", headers: [HTTPField.Name("X-Forwarded-For")!: "198.51.100.\(index)"]).status
                )
            }
            // The next five at once: a loaded machine (answers took 2 s each in a full CI run)
            // cannot stretch them past the refill.
            statuses += try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for index in 3..<8 {
                    group.addTask {
                        try await client.get("/v1/tracking/gt_x", headers: [HTTPField.Name("X-Forwarded-For")!: "198.51.100.\(index)"])
                            .status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let refilled = Int((ContinuousClock.now - started).components.seconds) + 1
            #expect(Array(statuses.prefix(3)) == [.notFound, .notFound, .notFound])
            #expect(statuses.contains(.tooManyRequests))
            #expect(statuses.filter { $0 == .notFound }.count <= 3 + refilled)
            // Five at once: at most a refilled token or two pass, the rest are limited.
            let answers = try await withThrowingTaskGroup(of: TestResponse.self) { group in
                for _ in 0..<5 {
                    group.addTask { try await client.postJSON("/v1/access-codes", Self.body("ORD-2026-0042", "jane.doe@example.com")) }
                }
                return try await group.reduce(into: [TestResponse]()) { $0.append($1) }
            }
            let limited = try #require(answers.first { $0.status == .tooManyRequests }, "\(answers.map(\.status))")
            #expect(limited.status == .tooManyRequests && limited.errorCode == "rate_limited")
            #expect(Int(limited.headers[.retryAfter] ?? "") ?? 0 >= 1)
            #expect(try await client.get("/healthz").status == .ok)
        }
        let trusted = try await buildApplication(reader: env.reader([Setting.trustedProxies.key: "127.0.0.1/32,::1"]))
        try await trusted.test(.live) { client in
            for index in 0..<6 {
                let response = try await client.get(
                    "/v1/tracking/gt_x",
                    headers: [HTTPField.Name("X-Forwarded-For")!: "198.51.100.\(index), 127.0.0.1"]
                )
                #expect(response.status == .notFound, "request \(index)")
            }
        }
    }
}

import Configuration
import Foundation
import GuestAccessCore
import GuestAccessHTTP
import GuestAccessPolicy
import Hummingbird
import HummingbirdTesting
import Testing

@testable import GuestAccessClient
@testable import GuestAccessServer
@testable import GuestAccessService

@Suite("GuestAccessClient against the real service")
struct ClientTests {
    static let order = Fixtures.orders[0]

    /// Runs `body` with a client for a live in-process service.
    static func withService(
        _ env: TestEnvironment,
        _ extra: [ConfigKey: String] = [:],
        _ body: @escaping @Sendable (GuestAccessClient) async throws -> Void
    ) async throws {
        TestLogs.start()
        let app = try await buildApplication(reader: env.reader(extra))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            try await body(GuestAccessClient(baseURL: "http://127.0.0.1:\(port)", timeout: .seconds(5)))
        }
    }

    @Test("Every call works end to end: mint, track, request, verify, re-fetch, sign out, revoke")
    func everyCall() async throws {
        let env = try TestEnvironment(policy: TestEnvironment.fastPolicy)
        try await Self.withService(env) { client in
            let admin = client.admin(key: env.adminKey)
            let trackingToken = try await admin.mintTrackingToken(orderNumber: Self.order.orderNumber)
            TestLogs.secret(trackingToken)
            let tracked = try await client.orders.track(trackingToken)
            #expect(tracked.orderNumber == Self.order.orderNumber && tracked.emailMasked == "j***@e***.com")

            try await client.orders.requestAccessCode(Self.order.orderNumber, " Jane.Doe@Example.com ")
            let code = try await env.waitForCode(Self.order.orderNumber)
            let access = try await client.orders.verifyAccessCode(Self.order.orderNumber, Self.order.email, code)
            TestLogs.secret(access.accessToken)
            #expect(access.tokenType == "Bearer" && access.expiresIn == 1800 && access.order == Self.order)
            #expect(try await client.orders.getByAccessToken(access.accessToken) == Self.order)
            try await client.orders.signOut(access.accessToken)
            await #expect(throws: GuestAccessError.unauthorized) { try await client.orders.getByAccessToken(access.accessToken) }

            try await admin.revoke(orderNumber: Self.order.orderNumber)
            await #expect(throws: GuestAccessError.notFound) { try await client.orders.track(trackingToken) }
        }
    }

    @Test("A backend calling on shoppers' behalf with forwarding(for:) gives each shopper a rate-limit bucket of their own")
    func forwardingGivesEachShopperABucket() async throws {
        let env = try TestEnvironment(
            policy: Policy.default.with {
                $0.rateLimits.perClientBurst = 3
                $0.rateLimits.perClientPerSecond = 1
            }
        )
        try await Self.withService(env, [Setting.trustedProxies.key: "127.0.0.1/32,::1"]) { client in
            let jane = client.forwarding(for: "198.51.100.7")
            let bob = client.forwarding(for: "203.0.113.9")
            // Eight calls at once: one after another on a loaded machine, each took long enough for the
            // bucket (3, refilled at 1 a second) to refill between them, and none was limited.
            let limited = await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        do { _ = try await jane.orders.track("gt_unknown") } catch let error as GuestAccessError {
                            return error.status == 429
                        } catch {}
                        return false
                    }
                }
                return await group.contains(true)
            }
            #expect(limited, "jane's bucket never ran out")
            // Bob's first call is not limited by Jane's calls.
            await #expect(throws: GuestAccessError.notFound) { try await bob.orders.track("gt_unknown") }
            // The client's own headers cannot be replaced.
            let sneaky = client.with(headers: ["Authorization": "Bearer forged", "X-Trace": "1"])
            #expect(sneaky.transport.headers.map(\.name) == ["X-Trace"])
            // A second shopper's address replaces the first, never joins it.
            let rebound = jane.forwarding(for: "203.0.113.9").transport.headers
            #expect(rebound.count == 1 && rebound.first?.value == "203.0.113.9")
        }
    }

    @Test("Every contract error arrives typed, and generic errors stay generic")
    func everyError() async throws {
        let env = try TestEnvironment(policy: TestEnvironment.fastPolicy)
        try await Self.withService(env) { client in
            await #expect(throws: GuestAccessError.invalidRequest(message: "orderNumber is not well-formed.")) {
                try await client.orders.requestAccessCode("ORD/1", "a@example.com")
            }
            await #expect(throws: GuestAccessError.invalidCode) {
                try await client.orders.verifyAccessCode(Self.order.orderNumber, Self.order.email, "000000")
            }
            await #expect(throws: GuestAccessError.invalidCode) {  // no such order: the same error
                try await client.orders.verifyAccessCode("ORD-1999-0000", "a@example.com", "000000")
            }
            await #expect(throws: GuestAccessError.unauthorized) { try await client.orders.getByAccessToken("not.a.token") }
            await #expect(throws: GuestAccessError.unauthorized) { try await client.orders.signOut("") }
            await #expect(throws: GuestAccessError.unauthorized) {
                try await client.admin(key: "wrong-key-0123456789abcdef0123456789").mintTrackingToken(orderNumber: "ORD-1")
            }
            await #expect(throws: GuestAccessError.notFound) { try await client.orders.track("gt_nothing-here") }
            await #expect(throws: GuestAccessError.notFound) {
                try await client.admin(key: env.adminKey).mintTrackingToken(orderNumber: "ORD-1999-0000")
            }
            await #expect(throws: GuestAccessError.payloadTooLarge) {
                try await client.orders.requestAccessCode(Self.order.orderNumber, String(repeating: "a", count: 9000) + "@example.com")
            }
        }
    }

    @Test("Rate limits and a dead provider arrive as rateLimited and unavailable, with Retry-After")
    func limitsAndOutages() async throws {
        let limited = try TestEnvironment(
            policy: Policy.default.with {
                $0.rateLimits.perClientBurst = 2
                $0.rateLimits.perClientPerSecond = 1
                $0.codes.responseFloorMilliseconds = 0
            }
        )
        try await Self.withService(limited) { client in
            // Rounds of eight calls at once: one after another on a loaded machine (a full CI run
            // stalled long enough), each took over a second, the bucket (2, refilled at 1 a second)
            // refilled between them, and none of ten was limited.
            var seen: GuestAccessError?
            for _ in 0..<5 where seen == nil {
                seen = await withTaskGroup(of: GuestAccessError?.self) { group in
                    for _ in 0..<8 {
                        group.addTask {
                            do { try await client.orders.requestAccessCode(Self.order.orderNumber, Self.order.email) } catch let error
                                as GuestAccessError
                            {
                                return error
                            } catch {}
                            return nil
                        }
                    }
                    // A rate limit if any call met one, else whatever other error came back.
                    return await group.reduce(into: nil) { kept, error in
                        if kept?.errorType != .rateLimited, let error { kept = error }
                    }
                }
            }
            guard let limited = seen, limited.errorType == .rateLimited else {
                Issue.record("expected rateLimited, got \(String(describing: seen))")
                return
            }
            #expect((limited.retryAfter ?? 0) >= 1)
            #expect(limited.status == 429 && limited.code == "rate_limited")
        }
        let downPolicy = TestEnvironment.fastPolicy.with {
            $0.provider.timeoutSeconds = 1
            $0.mail.timeoutSeconds = 1
        }
        let down = try TestEnvironment(policy: downPolicy)
        let closedPort = try SMTPSink.freePort()
        try await Self.withService(down, [Setting.providerURL.key: "http://127.0.0.1:\(closedPort)", Setting.providerCredential.key: "x"]) {
            client in
            let error = try await #require(throws: GuestAccessError.self) {
                try await client.admin(key: down.adminKey).mintTrackingToken(orderNumber: Self.order.orderNumber)
            }
            #expect(error.errorType == .unavailable && error.retryAfter == 5)
            #expect(error == .unavailable(retryAfter: 5))
        }
    }

    @Test("A service that does not answer in time gives timedOut; a cancelled task gives cancelled; nothing listening gives transport")
    func timeoutsAndCancellation() async throws {
        let arrived = SeenValues()
        let router = Router()
        router.get("/v1/tracking/{token}") { _, context -> Response in
            arrived.append(context.parameters.get("token") ?? "")
            try await Task.sleep(for: .seconds(10))  // a server that does not answer in time: longer than the 1 s timeout
            return Response(status: .ok)
        }
        try await LoopbackServer.run(router: router) { port in
            let client = GuestAccessClient(baseURL: "http://127.0.0.1:\(port)", timeout: .seconds(1))
            await #expect(throws: GuestAccessError.timedOut) { try await client.orders.track("gt_slow") }
            let patient = GuestAccessClient(baseURL: "http://127.0.0.1:\(port)", timeout: .seconds(30))
            let task = Task { try await patient.orders.track("gt_patient") }
            try await waitUntil("the patient client's request is in flight at the server") { arrived.all.contains("gt_patient") }
            task.cancel()
            await #expect(throws: GuestAccessError.cancelled) { try await task.value }
        }
        let nowhere = GuestAccessClient(baseURL: "http://127.0.0.1:\(try SMTPSink.freePort())", timeout: .seconds(2))
        let unreachable = try await #require(throws: GuestAccessError.self) { try await nowhere.orders.track("gt_x") }
        #expect(unreachable.errorType == .transport && unreachable.status == nil)
    }

    @Test("Answers this client cannot provoke from the real service (415, a 500, a 200 that is not the contract's) come back typed")
    func answersFromAnotherServer() async throws {
        let router = Router()
        router.get("/v1/tracking/{token}") { _, context -> Response in
            switch context.parameters.get("token") {
            case "gt_415":
                return Response(
                    status: .unsupportedMediaType,
                    headers: [.contentType: "application/json"],
                    body: .init(
                        byteBuffer: ByteBuffer(
                            string: #"{"error":{"code":"unsupported_media_type","message":"The request body must be JSON."}}"#
                        )
                    )
                )
            case "gt_500": return Response(status: .internalServerError, body: .init(byteBuffer: ByteBuffer(string: "oops")))
            default: return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "{}")))
            }
        }
        try await LoopbackServer.run(router: router) { port in
            let client = GuestAccessClient(baseURL: "http://127.0.0.1:\(port)/", timeout: .seconds(5))
            await #expect(throws: GuestAccessError.unsupportedMediaType) { try await client.orders.track("gt_415") }
            await #expect(throws: GuestAccessError.unexpectedResponse(status: 500, code: nil)) { try await client.orders.track("gt_500") }
            await #expect(throws: GuestAccessError.unexpectedResponse(status: 200, code: nil)) { try await client.orders.track("gt_200") }
        }
    }

    @Test("A storefront can switch on the error type and still compile when a type is added")
    func switchOnErrorType() {
        /// A storefront's handling: `default:` is required (ErrorType is not an
        /// enum), which is what keeps this compiling when a type is added.
        func advice(_ error: GuestAccessError) -> String {
            switch error.errorType {
            case .invalidCode: "ask for a new code"
            case .rateLimited, .unavailable: "retry in \(error.retryAfter ?? 1) s"
            default: "something went wrong"
            }
        }
        let limited = GuestAccessError.rateLimited(retryAfter: 7)
        let down = GuestAccessError.unavailable(retryAfter: 5)
        #expect(limited.errorType == .rateLimited && limited.retryAfter == 7 && limited.status == 429 && limited.code == "rate_limited")
        #expect(down.errorType == .unavailable && down.retryAfter == 5 && down.status == 503)
        #expect(GuestAccessError.rateLimited(retryAfter: nil).retryAfter == nil)
        #expect(advice(limited) == "retry in 7 s" && advice(down) == "retry in 5 s")
        #expect(advice(.invalidCode) == "ask for a new code" && advice(.timedOut) == "something went wrong")

        // Equal when type and fields are equal; the type alone compares with errorType.
        #expect(limited == .rateLimited(retryAfter: 7) && limited != .rateLimited(retryAfter: 8))
        #expect(limited.errorType == GuestAccessError.rateLimited(retryAfter: 8).errorType && limited.errorType != down.errorType)

        // The description is the type and the fixed message, nothing else: no
        // Retry-After, no status, no code from a body the contract does not describe.
        #expect(limited.errorType.description == "rateLimited")
        #expect("\(limited)" == "GuestAccessError.rateLimited" && "\(down)" == "GuestAccessError.unavailable")
        #expect(GuestAccessError.invalidCode.description == "GuestAccessError.invalidCode")
        #expect(
            GuestAccessError.invalidRequest(message: "orderNumber is not well-formed.").description
                == "GuestAccessError.invalidRequest: orderNumber is not well-formed."
        )
        #expect(GuestAccessError.unexpectedResponse(status: 500, code: "secret-ish").description == "GuestAccessError.unexpectedResponse")
    }
}

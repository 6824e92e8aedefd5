import Configuration
import Foundation
import GuestAccessCore
import GuestAccessHTTP
import GuestAccessPolicy
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

@testable import GuestAccessServer
@testable import GuestAccessService

/// What happens to codes when the storefront is slow or fails at the wrong
/// moment: a revoke wins over a delivery in flight, and a provider outage
/// after a right code does not cost the shopper the code.
@Suite("Codes against a slow or failing storefront")
struct ProviderRaceTests {
    static let order = Fixtures.orders[0]

    /// The service in front of a `FakeStorefront` (lookups slowed by `delay`), with `policy` changes
    /// over the fast test policy and `extra` configuration.
    static func withService(
        delay: Duration = .zero,
        policy: Policy = TestEnvironment.fastPolicy,
        extra: [ConfigKey: String] = [:],
        backend: TestBackend = .sqlite,
        _ body: @Sendable (FakeStorefront, TestEnvironment, any TestClientProtocol) async throws -> Void
    ) async throws {
        TestLogs.start()
        let storefront = FakeStorefront(orders: Fixtures.orders, credential: HTTPProviderTests.credential)
        storefront.delay.withLock { $0 = delay }
        try await storefront.run { port in
            let env = try await TestEnvironment.make(policy: policy, backend: backend)
            let reader = env.reader(
                [Setting.providerURL.key: "http://127.0.0.1:\(port)", Setting.providerCredential.key: HTTPProviderTests.credential].merging(
                    extra
                ) {
                    $1
                }
            )
            let app = try await buildApplication(reader: reader)
            try await app.test(.live) { client in try await body(storefront, env, client) }
        }
    }

    @Test("A provider failure after a right code answers 503 and the same code works on the retry")
    func providerFailureKeepsTheCode() async throws {
        try await Self.withService { storefront, env, client in
            let number = Self.order.orderNumber
            let code = try await VerifiedAccessTests.requestCode(client, env)
            storefront.failNext(number)
            let body = VerifiedAccessTests.body(number, Self.order.email, code)
            let failed = try await client.postJSON("/v1/access-codes/verify", body)
            #expect(failed.status == .serviceUnavailable && failed.errorCode == "unavailable")
            let retried = try await client.postJSON("/v1/access-codes/verify", body)
            #expect(retried.status == .ok)
            #expect(retried.json["accessToken"] is String)
            // Used once it succeeded: the code is not restored twice.
            #expect(try await client.postJSON("/v1/access-codes/verify", body).status == .unauthorized)
        }
    }

    @Test("A revoke that commits while the worker is fetching the order wins: no usable code comes out of that request")
    func revokeWinsOverDeliveryInFlight() async throws {
        try await Self.withService { storefront, env, client in
            let number = Self.order.orderNumber
            storefront.delay.withLock { $0 = .milliseconds(800) }
            #expect(
                try await client.postJSON("/v1/access-codes", VerifiedAccessTests.body(number, Self.order.email)).status == .accepted
            )
            try await waitUntil("the worker's lookup has reached the storefront") { storefront.seenOrders.all.contains(number) }
            let revoke = try await client.execute(uri: "/v1/admin/orders/\(number)/revoke", method: .post, headers: bearer(env.adminKey))
            #expect(revoke.status == .noContent)
            try await waitUntil("the revoke has finished the pending request", poll: .milliseconds(20)) {
                try DatabaseInspector(directory: env.directory).requestCounts().pending == 0
            }
            // The worker is done with the request once it counts it finished, whichever way (revoked, or sent if the revoke lost).
            try await waitUntil("the worker has finished with the request", poll: .milliseconds(20)) {
                try await client.get("/metrics", headers: bearer(env.adminKey)).text.contains("guest_access_code_requests_finished_total{")
            }
            let codes = env.outbox().filter { $0["orderNumber"] == number }.compactMap { $0["code"] }
            #expect(codes.isEmpty, "a code was sent for a request revoked before its code was stored")
            for code in codes {
                TestLogs.secret(code)
                let response = try await client.postJSON(
                    "/v1/access-codes/verify",
                    VerifiedAccessTests.body(number, Self.order.email, code)
                )
                #expect(response.status == .unauthorized)
            }
        }
    }

    @Test("An access token whose order was deleted at the storefront gets 404 not_found, as openapi.yaml says")
    func orderGoneFromTheProvider() async throws {
        try await Self.withService { storefront, env, client in
            let number = Self.order.orderNumber
            let code = try await VerifiedAccessTests.requestCode(client, env)
            let verified = try await client.postJSON("/v1/access-codes/verify", VerifiedAccessTests.body(number, Self.order.email, code))
            let token = try #require(verified.json["accessToken"] as? String)
            storefront.gone.withLock { _ = $0.insert(number) }
            let response = try await client.get("/v1/guest/order", headers: bearer(token))
            #expect(response.status == .notFound && response.errorCode == "not_found")
        }
    }
}

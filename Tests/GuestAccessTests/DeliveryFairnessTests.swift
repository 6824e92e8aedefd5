import Foundation
import GRDB
import GuestAccessCore
import GuestAccessHTTP
import GuestAccessPolicy
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

@testable import GuestAccessServer
@testable import GuestAccessService

/// A flood of code requests cannot starve another client's code: requests are
/// served in client turns by parallel workers, and duplicates are collapsed.
@Suite("Code delivery under a request flood")
struct DeliveryFairnessTests {
    static let order = Fixtures.orders[0]

    /// A 100 ms storefront, clients told apart by `X-Forwarded-For`. Lookups held by the paused
    /// storefront must not time out (and be retried) while a test waits: `timeoutSeconds` is the
    /// provider's (and the mailer's) limit. 60 s (the policy's most), not 30: on a loaded 2-core machine, queueing the
    /// flood and waiting for the lookups outlasted 30 s, and the retried lookups were counted twice.
    static func withSlowStorefront(
        backend: TestBackend = .sqlite,
        _ body: @Sendable (FakeStorefront, TestEnvironment, any TestClientProtocol) async throws -> Void
    ) async throws {
        try await ProviderRaceTests.withService(
            delay: .milliseconds(100),
            policy: TestEnvironment.fastPolicy.with { $0.provider.timeoutSeconds = 60 },
            extra: [Setting.trustedProxies.key: "127.0.0.1/32,::1"],
            backend: backend,
            body
        )
    }

    static func from(_ address: String) -> HTTPFields { [HTTPField.Name("X-Forwarded-For")!: address] }

    /// Waits until `count` lookups have reached the (paused) storefront: every worker is busy.
    static func waitForLookups(_ storefront: FakeStorefront, _ count: Int) async throws {
        try await waitUntil("\(count) lookups have reached the storefront", timeout: .seconds(20), poll: .milliseconds(5)) {
            storefront.seenOrders.all.count >= count
        }
        #expect(storefront.seenOrders.all.count == count)
    }

    @Test("A shopper's code does not wait behind another client's flood of queued requests", arguments: TestBackend.allCases)
    func shopperIsServedBetweenAFloodersRequests(backend: TestBackend) async throws {
        try await Self.withSlowStorefront(backend: backend) { storefront, env, client in
            // The storefront holds every lookup until the whole flood and the shopper are queued.
            storefront.paused.withLock { $0 = true }
            for index in 0..<60 {
                let response = try await client.postJSON(
                    "/v1/access-codes",
                    VerifiedAccessTests.body("ORD-FLOOD-\(index)", "flood@example.org"),
                    headers: Self.from("203.0.113.9")
                )
                #expect(response.status == .accepted)
            }
            let shopper = try await client.postJSON(
                "/v1/access-codes",
                VerifiedAccessTests.body(Self.order.orderNumber, Self.order.email),
                headers: Self.from("198.51.100.7")
            )
            #expect(shopper.status == .accepted)
            try await Self.waitForLookups(storefront, TestEnvironment.parallelDeliveries)
            storefront.paused.withLock { $0 = false }
            _ = try await env.waitForCode(Self.order.orderNumber, timeout: .seconds(30))
            let left = try await env.stored.pendingRequests()
            // Served in turns, the shopper's request came right after the lookups already under way
            // (one per worker), before the rest of the flood; in one FIFO line it would have waited for all 60.
            #expect(
                left >= 60 - 3 * TestEnvironment.parallelDeliveries,
                "flood requests still pending when the shopper's code arrived: \(left)"
            )
        }
    }

    @Test("Identical pending requests are collapsed into one lookup and one code", arguments: TestBackend.allCases)
    func duplicatesCollapse(backend: TestBackend) async throws {
        try await Self.withSlowStorefront(backend: backend) { storefront, env, client in
            // Keep every worker busy with other clients' requests, so the duplicates are all pending together.
            storefront.paused.withLock { $0 = true }
            for index in 0..<TestEnvironment.parallelDeliveries {
                _ = try await client.postJSON(
                    "/v1/access-codes",
                    VerifiedAccessTests.body("ORD-BUSY-\(index)", "busy@example.org"),
                    headers: Self.from("203.0.113.\(index)")
                )
            }
            try await Self.waitForLookups(storefront, TestEnvironment.parallelDeliveries)
            for _ in 0..<3 {
                #expect(
                    try await client.postJSON(
                        "/v1/access-codes",
                        VerifiedAccessTests.body(Self.order.orderNumber, Self.order.email),
                        headers: Self.from("198.51.100.7")
                    ).status == .accepted
                )
            }
            storefront.paused.withLock { $0 = false }
            _ = try await env.waitForCode(Self.order.orderNumber, timeout: .seconds(30))
            try await waitUntil("the worker has finished every code request", timeout: .seconds(20), poll: .milliseconds(20)) {
                try await env.stored.pendingRequests() == 0
            }
            #expect(env.outbox().filter { $0["orderNumber"] == Self.order.orderNumber }.count == 1)
            #expect(storefront.seenOrders.all.filter { $0 == Self.order.orderNumber }.count == 1)
            #expect(try await env.stored.outcomes(of: Self.order.orderNumber) == ["sent", "collapsed", "collapsed"])
        }
    }

    @Test("A guess and the guesser's own request are looked up at once, so the guess's outcome does not hold up the own code")
    func guessAndOwnRequestRunSideBySide() async throws {
        try await Self.withSlowStorefront { storefront, env, client in
            storefront.paused.withLock { $0 = true }
            let guesser = Self.from("203.0.113.77")
            let (victim, own) = (Fixtures.orders[1], Fixtures.orders[2])
            _ = try await client.postJSON("/v1/access-codes", VerifiedAccessTests.body(victim.orderNumber, victim.email), headers: guesser)
            _ = try await client.postJSON("/v1/access-codes", VerifiedAccessTests.body(own.orderNumber, own.email), headers: guesser)
            // Both lookups reach the (held) storefront together: neither waits for the other's lookup or delivery.
            try await Self.waitForLookups(storefront, 2)
            #expect(Set(storefront.seenOrders.all) == [victim.orderNumber, own.orderNumber])
            storefront.paused.withLock { $0 = false }
            _ = try await env.waitForCode(own.orderNumber, timeout: .seconds(30))
        }
    }

    @Test("A delivery runs beside the workers: while one code's send stalls, the only worker already looks up the next request")
    func deliveryDoesNotHoldTheWorker() async throws {
        TestLogs.start()
        let sink = try await SMTPSink(options: ["--stall-first", "1", "--stall-seconds", "6"])
        let storefront = FakeStorefront(orders: Fixtures.orders, credential: HTTPProviderTests.credential)
        try await storefront.run { port in
            let env = try TestEnvironment(
                policy: TestEnvironment.fastPolicy.with {
                    $0.mail.parallelDeliveries = 1
                    $0.provider.timeoutSeconds = 30
                }
            )
            let app = try await buildApplication(
                reader: env.reader([
                    Setting.providerURL.key: "http://127.0.0.1:\(port)", Setting.providerCredential.key: HTTPProviderTests.credential,
                    Setting.mailer.key: "smtp://127.0.0.1:\(sink.port)", Setting.smtpAllowPlaintext.key: "true",
                    Setting.mailFrom.key: "orders@shop.example",
                ])
            )
            try await app.test(.live) { client in
                let (matching, next) = (Fixtures.orders[0], "ORD-NEXT-1")
                _ = try await client.postJSON("/v1/access-codes", VerifiedAccessTests.body(matching.orderNumber, matching.email))
                try await Self.waitForLookups(storefront, 1)
                _ = try await client.postJSON("/v1/access-codes", VerifiedAccessTests.body(next, "someone@example.org"))
                try await Self.waitForLookups(storefront, 2)
                // The first code is still in its stalled SMTP conversation when the second lookup happens.
                #expect(sink.received().isEmpty)
                #expect(storefront.seenOrders.all == [matching.orderNumber, next])
                _ = try await sink.waitForMessages(1, timeout: .seconds(30))
            }
        }
    }
}

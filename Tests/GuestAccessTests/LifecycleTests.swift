import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing

@Suite("Lifecycle: graceful shutdown")
struct LifecycleTests {
    @Test(
        "SIGTERM turns /readyz 503 at once on a connection opened before it, keeps serving for the drain delay, finishes the request in flight, exits 0"
    )
    func drain() async throws {
        let storefront = FakeStorefront(orders: Fixtures.orders, credential: HTTPProviderTests.credential)
        try await storefront.run { storefrontPort in
            let env = try TestEnvironment()
            let process = try RunningProcess(
                [
                    "serve", "--port", "0", "--data-dir", env.directory, "--provider-url", "http://127.0.0.1:\(storefrontPort)",
                    "--admin-key-file", env.adminKeyPath, "--drain-delay-seconds", "1",
                ],
                environment: ["GUEST_ACCESS_PROVIDER_CREDENTIAL": HTTPProviderTests.credential]
            )
            defer { process.signal(SIGKILL) }
            let port = try await process.waitForPort()
            let base = "http://127.0.0.1:\(port)"
            // The port opens before readiness is first checked; on a loaded machine the first probe saw 503.
            try await waitUntil("the service is ready", timeout: .seconds(20), poll: .milliseconds(20)) {
                (try? RawHTTPConnection(port: port).get("/readyz")) == 200
            }
            let opened = try RawHTTPConnection(port: port)
            #expect(opened.get("/readyz") == 200)
            let (status, body) = try await BinaryTests.request(
                base + "/v1/admin/tracking-tokens",
                method: .POST,
                bearer: env.adminKey,
                body: #"{"orderNumber":"SLOW"}"#
            )
            #expect(status == 201)
            let token = try #require(
                (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["trackingToken"] as? String
            )

            let lookups = storefront.seenAuthorization.all.count
            let inFlight = Task { try await BinaryTests.request(base + "/v1/tracking/\(token)") }
            try await waitUntil("the tracking request is in flight at the storefront") {
                storefront.seenAuthorization.all.count > lookups
            }
            let signalled = ContinuousClock.now
            process.signal(SIGTERM)
            try await waitUntil("/readyz answers 503 after SIGTERM", poll: .milliseconds(20)) {
                try await BinaryTests.request(base + "/readyz").0 == 503
            }
            #expect(ContinuousClock.now - signalled < .seconds(1), "/readyz turned 503 only after the drain delay")
            // The request in flight (1.5 s at the storefront) outlasts the 1 s delay, so it is also drained.
            #expect(opened.get("/readyz") == 503)
            #expect(try await BinaryTests.request(base + "/readyz").0 == 503)
            let finished = try await inFlight.value
            #expect(finished.0 == 200)
            #expect(finished.1.contains(#""emailMasked":"s***@e***.com""#))
            #expect(try await process.wait(timeout: .seconds(20)) == 0)
            #expect(ContinuousClock.now - signalled >= .seconds(1))
        }
    }
}

import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing

@Suite("Lifecycle: graceful shutdown")
struct LifecycleTests {
    @Test("SIGTERM lets an in-flight request finish, stops reporting ready, and exits 0")
    func drain() async throws {
        let storefront = FakeStorefront(orders: Fixtures.orders, credential: HTTPProviderTests.credential)
        try await storefront.run { storefrontPort in
            let env = try TestEnvironment()
            let process = try RunningProcess(
                [
                    "serve", "--port", "0", "--data-dir", env.directory, "--provider-url", "http://127.0.0.1:\(storefrontPort)",
                    "--admin-key-file", env.adminKeyPath,
                ],
                environment: ["GUEST_ACCESS_PROVIDER_CREDENTIAL": HTTPProviderTests.credential])
            defer { process.signal(SIGKILL) }
            let base = "http://127.0.0.1:\(try await process.waitForPort())"
            #expect(try await BinaryTests.request(base + "/readyz").0 == 200)
            let (status, body) = try await BinaryTests.request(
                base + "/v1/admin/tracking-tokens", method: .POST, bearer: env.adminKey, body: #"{"orderNumber":"SLOW"}"#)
            #expect(status == 201)
            let token = try #require(
                (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["trackingToken"] as? String)

            let inFlight = Task { try await BinaryTests.request(base + "/v1/tracking/\(token)") }
            try await Task.sleep(for: .milliseconds(400))
            process.signal(SIGTERM)
            try await Task.sleep(for: .milliseconds(200))
            let readyDuringDrain = try? await BinaryTests.request(base + "/readyz")
            #expect(readyDuringDrain?.0 != 200)
            let finished = try await inFlight.value
            #expect(finished.0 == 200)
            #expect(finished.1.contains(#""emailMasked":"s***@e***.com""#))
            #expect(try await process.wait(timeout: .seconds(20)) == 0)
        }
    }
}

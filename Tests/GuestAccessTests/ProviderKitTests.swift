import Foundation
import GuestAccessCore
import GuestAccessPolicy
import Hummingbird
import Testing

@testable import GuestAccessService

@Suite("The provider kit: guest-access provider check")
struct ProviderKitTests {
    static let credential = "provider-credential-0123456789abcdef"

    /// A provider that gets the contract wrong in every way the checker looks for.
    static func brokenRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/orders/{number}") { _, context -> Response in
            // No credential check at all.
            switch context.parameters.get("number") ?? "" {
            case "ORD-NOCURRENCY":
                var object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(Fixtures.orders[0])) as! [String: Any]
                object["orderNumber"] = "ORD-NOCURRENCY"
                object.removeValue(forKey: "currency")
                return Response(
                    status: .ok,
                    headers: [.contentType: "text/plain"],
                    body: .init(byteBuffer: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: object)))
                )
            default:  // every other number, unknown ones included, answers with some order
                return try FakeStorefront.json(Fixtures.orders[1])
            }
        }
        return router
    }

    static func check(_ port: Int, order: String) async throws -> BinaryRunner.Result {
        try await BinaryRunner.run(
            ["provider", "check", "http://127.0.0.1:\(port)", "--order", order, "--timeout", "10"],
            environment: ["GUEST_ACCESS_PROVIDER_CREDENTIAL": credential]
        )
    }

    @Test("A provider that keeps the contract passes every check")
    func conformingProvider() async throws {
        let storefront = FakeStorefront(orders: Fixtures.orders, credential: Self.credential)
        let result = try await storefront.run { port in try await Self.check(port, order: Fixtures.orders[0].orderNumber) }
        #expect(result.status == 0, "\(result.stdout)")
        #expect(!result.stdout.contains("FAIL"))
        #expect(result.stdout.contains("provider conforms (8 checks)"))
    }

    @Test("A deliberately broken provider: every deviation is reported and the check exits 1")
    func brokenProvider() async throws {
        let (noCurrency, wrongNumber) = try await LoopbackServer.run(router: Self.brokenRouter()) { port in
            (try await Self.check(port, order: "ORD-NOCURRENCY"), try await Self.check(port, order: "ORD-2026-0042"))
        }
        #expect(noCurrency.status == 1 && wrongNumber.status == 1)
        let failures = Set(
            (noCurrency.stdout + wrongNumber.stdout).split(separator: "\n").filter { $0.hasPrefix("FAIL") }.map {
                String($0.dropFirst(5).prefix { $0 != ":" })
            }
        )
        #expect(
            failures == [
                "the answer is application/json", "the body is a valid OrderDetail", "an unknown order number answers 404",
                "no credential is refused with 401 or 403", "a wrong credential is refused with 401 or 403",
                "the order is the one asked for",
            ],
            "\(noCurrency.stdout)\n\(wrongNumber.stdout)"
        )
        #expect(noCurrency.stdout.contains("currency"))  // the decoding error names the field
        #expect(wrongNumber.stdout.contains("orderNumber ORD-2026-0043"))
    }

    @Test("provider check refuses to run without a credential or with a malformed order number")
    func refusals() async throws {
        let noCredential = try await BinaryRunner.run(["provider", "check", "http://127.0.0.1:9", "--order", "ORD-1"])
        #expect(noCredential.status == 1 && noCredential.stderr.contains("credential"))
        let badOrder = try await BinaryRunner.run(
            ["provider", "check", "http://127.0.0.1:9", "--order", "../etc"],
            environment: ["GUEST_ACCESS_PROVIDER_CREDENTIAL": "x"]
        )
        #expect(badOrder.status == 1 && badOrder.stderr.hasPrefix("guest-access: error:"))
    }

    @Test("The README's example provider (scripts/example_provider.py) passes provider check")
    func exampleProvider() async throws {
        let env = try TestEnvironment()
        let port = try SMTPSink.freePort()
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/example_provider.py").path
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, env.ordersPath, "\(port)"]
        process.environment = ["PROVIDER_CREDENTIAL": Self.credential, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try ProcessLaunch.run(process)
        defer { process.terminate() }
        try await waitUntil("scripts/example_provider.py listens on port \(port)", poll: .milliseconds(50)) {
            (try? RawHTTPConnection(port: port)) != nil
        }
        let result = try await Self.check(port, order: Fixtures.orders[0].orderNumber)
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.contains("provider conforms"))
    }
}

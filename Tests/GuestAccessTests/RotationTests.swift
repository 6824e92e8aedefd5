import AsyncHTTPClient
import Foundation
import GuestAccessCore
import GuestAccessCrypto
import GuestAccessMail
import GuestAccessPolicy
import GuestAccessProviders
import GuestAccessStorage
import Logging
import NIOHTTP1
import Synchronization
import Testing

@testable import GuestAccessHTTP
@testable import GuestAccessServer
@testable import GuestAccessService

@Suite("Key rotation while serving")
struct RotationTests {
    /// The `kid` in an access token's header.
    static func kid(of token: String) -> String? {
        guard let header = token.split(separator: ".").first, let bytes = Base64URL.decode(String(header)),
            let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any]
        else { return nil }
        return object["kid"] as? String
    }

    static func codeBody(_ order: OrderDetail, _ code: String? = nil) -> String {
        code.map { #"{"orderNumber":"\#(order.orderNumber)","email":"\#(order.email)","code":"\#($0)"}"# }
            ?? #"{"orderNumber":"\#(order.orderNumber)","email":"\#(order.email)"}"#
    }

    /// Verifies `code` for `order` and returns the access token.
    static func verify(_ base: String, _ order: OrderDetail, _ code: String) async throws -> String {
        let (status, text) = try await BinaryTests.request(base + "/v1/access-codes/verify", method: .POST, body: codeBody(order, code))
        #expect(status == 200)
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        return try #require(object?["accessToken"] as? String)
    }

    final class LoadState: Sendable {
        let stop = Atomic<Bool>(false)
        let requests = Atomic<Int>(0)
    }

    /// Load from `workers` concurrent clients until `state.stop` is set; returns every unexpected status.
    static func load(_ base: String, workers: Int, state: LoadState, accessToken: String, trackingToken: String) async -> [String] {
        let other = Fixtures.orders[2]
        return await withTaskGroup(of: [String].self) { group in
            for worker in 0..<workers {
                group.addTask {
                    var unexpected: [String] = []
                    var round = 0
                    while !state.stop.load(ordering: .relaxed) {
                        round += 1
                        let (url, method, bearer, body, expected): (String, HTTPMethod, String?, String?, Int) =
                            switch (worker + round) % 4 {
                            case 0: (base + "/v1/guest/order", .GET, accessToken, nil, 200)
                            case 1: (base + "/v1/tracking/\(trackingToken)", .GET, nil, nil, 200)
                            case 2: (base + "/v1/access-codes/verify", .POST, nil, codeBody(other, "000000"), 401)
                            default: (base + "/v1/access-codes", .POST, nil, codeBody(other), 202)
                            }
                        let status = (try? await BinaryTests.request(url, method: method, bearer: bearer, body: body))?.0
                        state.requests.add(1, ordering: .relaxed)
                        if status != expected {
                            unexpected.append("\(method) \(url.dropFirst(base.count)): \(status.map(String.init) ?? "no answer")")
                        }
                    }
                    return unexpected
                }
            }
            return await group.reduce(into: []) { $0 += $1 }
        }
    }

    @Test("keys rotate and SIGHUP under load fail no request; old tokens and codes work until keys retire, new tokens carry the new kid")
    func rotateUnderLoad() async throws {
        let policy = TestEnvironment.fastPolicy.with {
            $0.codes.perOrderLimit = 100
            $0.codes.perEmailLimit = 1000
        }
        let env = try TestEnvironment(policy: policy)
        let process = try RunningProcess(
            [
                "serve", "--port", "0", "--data-dir", env.directory, "--orders", env.ordersPath, "--admin-key-file", env.adminKeyPath,
                "--mailer", "file:" + env.outboxPath, "--policy", env.policyPath!,
            ])
        defer { process.signal(SIGKILL) }
        let base = "http://127.0.0.1:\(try await process.waitForPort())"
        let order = Fixtures.orders[0]
        let oldKid = try KeyringFile(path: env.keyringPath).load().keys[0].kid

        // Before the rotation: an access token, a tracking token, and a code still waiting to be used.
        #expect(try await BinaryTests.request(base + "/v1/access-codes", method: .POST, body: Self.codeBody(order)).0 == 202)
        let oldToken = try await Self.verify(base, order, try await env.waitForCode(order.orderNumber))
        #expect(Self.kid(of: oldToken) == oldKid)
        let (mintStatus, mintText) = try await BinaryTests.request(
            base + "/v1/admin/tracking-tokens",
            method: .POST,
            bearer: env.adminKey,
            body: #"{"orderNumber":"\#(order.orderNumber)"}"#
        )
        #expect(mintStatus == 201)
        let trackingToken = try #require(
            (try JSONSerialization.jsonObject(with: Data(mintText.utf8)) as? [String: Any])?["trackingToken"] as? String
        )
        let second = Fixtures.orders[1]
        #expect(try await BinaryTests.request(base + "/v1/access-codes", method: .POST, body: Self.codeBody(second)).0 == 202)
        let pendingCode = try await env.waitForCode(second.orderNumber)

        // Rotate under load: the file watcher and then SIGHUP both reload while requests run.
        let state = LoadState()
        async let failures = Self.load(base, workers: 8, state: state, accessToken: oldToken, trackingToken: trackingToken)
        // Stops the load however this scope ends: a failed wait below must not leave it running (it ignores cancellation).
        defer { state.stop.store(true, ordering: .relaxed) }
        try await waitUntil("the load is under way (8 requests answered)") { state.requests.load(ordering: .relaxed) >= 8 }
        #expect(try await BinaryRunner.run(["keys", "rotate", "--data-dir", env.directory]).status == 0)
        let newKid = try KeyringFile(path: env.keyringPath).load().keys[0].kid
        _ = try await process.waitForLog("\"active_kid\":\"\(newKid)\"")
        process.signal(SIGHUP)
        _ = try await process.waitForLog("\"trigger\":\"SIGHUP\"")
        // Load after the reload too, and enough load to mean something however slow the machine: run on until
        // requests sent after the reload have been answered (past the at most 8 in flight when it was seen) and
        // over 50 have passed in all.
        let atReload = state.requests.load(ordering: .relaxed)
        try await waitUntil("requests after the SIGHUP reload are answered, over 50 in all", timeout: .seconds(30)) {
            let requests = state.requests.load(ordering: .relaxed)
            return requests > atReload + 8 && requests > 50
        }
        state.stop.store(true, ordering: .relaxed)
        let unexpected = await failures
        #expect(unexpected.isEmpty, "\(unexpected.prefix(10))")
        #expect(state.requests.load(ordering: .relaxed) > 50)

        // After the rotation: the code made under the old key still verifies, and the new token carries the new kid.
        let newToken = try await Self.verify(base, second, pendingCode)
        #expect(Self.kid(of: newToken) == newKid)
        #expect(try await BinaryTests.request(base + "/v1/guest/order", bearer: oldToken).0 == 200)

        // After retire: what the old key signed is refused; the new key's tokens keep working.
        #expect(try await BinaryRunner.run(["keys", "retire", oldKid, "--data-dir", env.directory]).status == 0)
        process.signal(SIGHUP)
        try await waitUntil("the retired key's access token is refused", poll: .milliseconds(50)) {
            try await BinaryTests.request(base + "/v1/guest/order", bearer: oldToken).0 == 401
        }
        #expect(try await BinaryTests.request(base + "/v1/guest/order", bearer: newToken).0 == 200)
        #expect(try await BinaryTests.request(base + "/v1/tracking/\(trackingToken)").0 == 200)
        #expect(process.process.isRunning)
    }

    @Test("A code request queued under the old key is delivered after a rotation, and its code verifies")
    func queuedRequestSurvivesRotation() async throws {
        let env = try TestEnvironment()
        let clock = TestClock()
        let database = try GuestAccessDatabase(path: env.directory + "/" + GuestAccessDatabase.fileName, synchronous: .full)
        let queue = SQLiteCodeRequestQueue(database: database)
        let codes = SQLiteAccessCodeStore(database: database)
        let holder = try KeyringHolder(file: KeyringFile(dataDirectory: env.directory), logger: Logger(label: "test"))
        let worker = CodeDeliveryWorker(
            codes: codes,
            queue: queue,
            provider: try EmbeddedOrderProvider(orders: Fixtures.orders),
            mailer: FileMailer(path: env.outboxPath),
            keyring: holder,
            policy: .default,
            clock: clock,
            logger: Logger(label: "test"),
            metrics: ServiceMetrics(),
            audit: AuditLog(
                trail: SQLiteAuditTrail(database: database),
                keyring: holder,
                clock: clock,
                logger: Logger(label: "test"),
                metrics: ServiceMetrics()
            )
        )
        let order = Fixtures.orders[0]
        let oldKey = holder.keyring.active
        try await queue.enqueue(
            orderNumber: order.orderNumber,
            emailDigest: Digests.email(order.email, key: oldKey),
            emailKid: oldKey.kid,
            clientDigest: [],
            language: .en,
            at: clock.now(),
            audit: AuditEvent(at: clock.now(), kind: .codeRequested)
        )

        _ = try KeyringFile(dataDirectory: env.directory).update { document throws(KeyringError) in document.rotated() }
        #expect(holder.reload(trigger: "test"))
        #expect(holder.keyring.active.kid != oldKey.kid)

        let request = try #require(try await queue.claimNext(at: clock.now(), lease: 60))
        try await worker.process(request)
        #expect(try await queue.outcomes() == [.sent])
        let code = try await env.waitForCode(order.orderNumber)
        let decision = try await codes.verifyAttempt(
            orderNumber: order.orderNumber,
            email: order.email,
            code: code,
            keyring: holder.keyring,
            now: clock.now(),
            policy: Policy.default,
            audit: AuditEvent(at: clock.now(), kind: .verifyFailed)
        )
        #expect(decision.success)
    }
}

import Foundation
import GRDB
import GuestAccessCore
import GuestAccessCrypto
import GuestAccessHTTP
import GuestAccessPolicy
import Hummingbird
import HummingbirdTesting
import Testing

@testable import GuestAccessServer
@testable import GuestAccessService

@Suite("Faults: a full or read-only disk, a deleted keyring")
struct FaultTests {
    static let orders = Fixtures.orders

    static func requestBody(_ index: Int) -> String {
        VerifiedAccessTests.body(orders[index % orders.count].orderNumber, orders[index % orders.count].email)
    }

    /// A 503 must be the contract's envelope with its fixed message: no SQLite error, path or errno.
    static func expectUnavailable(_ response: TestResponse) {
        #expect(response.errorCode == "unavailable")
        #expect((response.json["error"] as? [String: Any])?["message"] as? String == "The service is temporarily unavailable.")
        #expect(response.headers[.retryAfter] != nil)
    }

    @Test(
        "A full disk answers writes with 503 unavailable, never a 500 or a crash; reads go on; freed, writes resume and nothing accepted is lost",
        .enabled(if: ScratchMount.isAvailable, "needs root to mount a tmpfs")
    )
    func diskFull() async throws {
        TestLogs.start()
        let mount = try ScratchMount(kibibytes: 2048)
        defer { mount.unmount() }
        let policy = TestEnvironment.fastPolicy.with {
            $0.codes.perOrderLimit = 100
            $0.codes.perEmailLimit = 1000
        }
        let env = try TestEnvironment(policy: policy, dataDirectory: mount.path)
        let app = try await buildApplication(reader: env.reader())
        let accepted = try await app.test(.live) { client in
            let minted = try await client.postJSON(
                "/v1/admin/tracking-tokens",
                #"{"orderNumber":"\#(Self.orders[0].orderNumber)"}"#,
                headers: bearer(env.adminKey)
            )
            let trackingToken = try #require(minted.json["trackingToken"] as? String)
            TestLogs.secret(trackingToken)
            var accepted = 0
            #expect(try await client.postJSON("/v1/access-codes", Self.requestBody(0)).status == .accepted)
            accepted += 1

            #expect(mount.fill() > 0)
            var statuses: [UInt: Int] = [:]
            for index in 0..<300 {
                let response = try await client.postJSON("/v1/access-codes", Self.requestBody(index))
                statuses[UInt(response.status.code), default: 0] += 1
                if response.status == .accepted { accepted += 1 }
                if response.status == .serviceUnavailable { Self.expectUnavailable(response) }
            }
            #expect(statuses[503, default: 0] > 0, "the disk never filled: \(statuses)")
            #expect(Set(statuses.keys).isSubset(of: [202, 503]), "\(statuses)")
            let verify = try await client.postJSON("/v1/access-codes/verify", VerifiedAccessTests.body("ORD-1", "a@example.com", "123456"))
            #expect([.unauthorized, .serviceUnavailable].contains(verify.status))
            #expect(try await client.get("/v1/tracking/\(trackingToken)").status == .ok)
            #expect(try await client.get("/healthz").status == .ok)

            mount.free()
            var index = 0
            try await waitUntil("a code request is accepted again once the disk is freed", poll: .milliseconds(100)) {
                let response = try await client.postJSON("/v1/access-codes", Self.requestBody(index))
                index += 1
                if response.status == .accepted { accepted += 1 }
                return response.status == .accepted
            }
            return accepted
        }
        let inspector = DatabaseInspector(directory: env.directory)
        #expect(try inspector.integrityCheck() == "ok")
        let queued = try inspector.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM code_requests") ?? -1 }
        #expect(queued == accepted)
    }

    @Test(
        "serve refuses to start on a read-only data directory, with one line naming it",
        .enabled(if: ScratchMount.isAvailable, "needs root to mount a tmpfs")
    )
    func readOnlyDataDirectory() async throws {
        let mount = try ScratchMount(kibibytes: 1024)
        defer { mount.unmount() }
        let env = try TestEnvironment(dataDirectory: mount.path)
        try mount.remount(readOnly: true)
        let result = try await BinaryRunner.run([
            "serve", "--port", "0", "--data-dir", env.directory, "--orders", env.ordersPath, "--admin-key-file", env.adminKeyPath,
        ])
        #expect(result.status == 1)
        #expect(result.stderr == "guest-access: error: data directory \(env.directory) is not writable\n")
    }

    @Test("A keyring deleted under the running service is refused on reload: the keys in force keep signing and verifying")
    func keyringDeleted() async throws {
        TestLogs.start()
        let env = try TestEnvironment(policy: TestEnvironment.fastPolicy)
        let app = try await buildApplication(reader: env.reader())
        try await app.test(.live) { client in
            let code = try await VerifiedAccessTests.requestCode(client, env)
            let order = VerifiedAccessTests.order
            let verified = try await client.postJSON(
                "/v1/access-codes/verify",
                VerifiedAccessTests.body(order.orderNumber, order.email, code)
            )
            let token = try #require(verified.json["accessToken"] as? String)
            TestLogs.secret(token)

            try FileManager.default.removeItem(atPath: env.keyringPath)
            // The file watcher (every 100 ms here) sees the file gone and refuses to reload.
            try await waitUntil("the reload of the deleted keyring is refused", poll: .milliseconds(50)) {
                TestLogs.sink.captured.contains { $0.contains("keyring reload refused") && $0.contains(env.keyringPath) }
            }
            #expect(try await client.get("/v1/guest/order", headers: bearer(token)).status == .ok)
            let again = try await VerifiedAccessTests.requestCode(client, env, count: 2)
            let second = try await client.postJSON(
                "/v1/access-codes/verify",
                VerifiedAccessTests.body(order.orderNumber, order.email, again)
            )
            #expect(second.status == .ok)
            #expect(try await client.get("/readyz").status == .ok)
        }
    }
}

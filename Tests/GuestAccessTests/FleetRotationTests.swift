import Foundation
import GuestAccessCore
import GuestAccessCrypto
import GuestAccessPolicy
import NIOHTTP1
import Synchronization
import Testing

@testable import GuestAccessService

extension Fleets {
    /// Key rotation across a fleet, as README's procedure has an operator do it:
    /// `keys add` published to every replica, `keys activate` on each replica at
    /// its own moment, then `keys retire`, all while shoppers use the service.
    @Suite("Key rotation across three replicas")
    struct FleetRotationTests {
        /// Copies replica `from`'s keyring file to replica `to` the way an operator's tooling should: whole, by rename.
        static func publish(_ fleet: Fleet, from: Int, to: Int) throws {
            let source = fleet.directories[from] + "/keyring.json"
            let temporary = fleet.directories[to] + "/keyring.json.new"
            let data = try Data(contentsOf: URL(fileURLWithPath: source))
            guard FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600]) else {
                throw CocoaError(.fileWriteUnknown)
            }
            guard rename(temporary, fleet.directories[to] + "/keyring.json") == 0 else { throw CocoaError(.fileWriteUnknown) }
        }

        /// Waits until replica `index` has logged `count` keyring reloads.
        static func waitForReloads(_ fleet: Fleet, _ index: Int, count: Int) async throws {
            try await waitUntil("replica \(index) has reloaded its keyring \(count) times", timeout: .seconds(15)) {
                fleet.process(index).stderr.components(separatedBy: "\"msg\":\"keyring reloaded\"").count - 1 >= count
            }
        }

        static func keys(_ arguments: [String]) async throws -> String {
            let result = try await BinaryRunner.run(["keys"] + arguments)
            #expect(result.status == 0, "\(result.stderr)")
            return result.stdout
        }

        final class Load: Sendable {
            let stop = Atomic<Bool>(false)
            let flows = Mutex<[Int]>(Array(repeating: 0, count: Fixtures.orders.count))
            let unexpected = Mutex<[String]>([])
            let kids = Mutex<[String]>([])

            var flowCounts: [Int] { flows.withLock { $0 } }
        }

        /// One shopper per order, each going round the whole journey on three different replicas until stopped:
        /// request a code on one, verify it on the next, read the order on the third, sign out on the first.
        static func shoppers(_ fleet: Fleet, _ load: Load) async {
            await withTaskGroup(of: Void.self) { group in
                for (index, order) in Fixtures.orders.enumerated() {
                    group.addTask {
                        var round = 0
                        func check(_ step: String, _ status: Int?, _ expected: Int) -> Bool {
                            guard status != expected else { return true }
                            load.unexpected.withLock { $0.append("\(step): \(status.map(String.init) ?? "no answer")") }
                            return false
                        }
                        while !load.stop.load(ordering: .relaxed) {
                            round += 1
                            let replica = (index + round) % 3
                            let before = fleet.env.outbox().filter { $0["orderNumber"] == order.orderNumber }.count
                            let requested = try? await fleet.request(
                                replica,
                                "/v1/access-codes",
                                method: .POST,
                                body: Fleets.FleetTests.body(order)
                            )
                            guard check("request code on \(replica)", requested?.0, 202) else { continue }
                            guard let code = try? await fleet.env.waitForCode(order.orderNumber, count: before + 1, timeout: .seconds(20))
                            else {
                                load.unexpected.withLock { $0.append("no code for a request made on \(replica)") }
                                continue
                            }
                            let verified = try? await fleet.request(
                                (replica + 1) % 3,
                                "/v1/access-codes/verify",
                                method: .POST,
                                body: Fleets.FleetTests.body(order, code)
                            )
                            guard check("verify on \((replica + 1) % 3)", verified?.0, 200),
                                let token = Fleets.FleetTests.json(verified?.1 ?? "")["accessToken"] as? String
                            else { continue }
                            TestLogs.secret(token)
                            if let kid = AccessTokenCodec.kid(of: token) { load.kids.withLock { $0.append(kid) } }
                            let read = try? await fleet.request((replica + 2) % 3, "/v1/guest/order", bearer: token)
                            _ = check("read order on \((replica + 2) % 3)", read?.0, 200)
                            let signedOut = try? await fleet.request(replica, "/v1/guest/token", method: .DELETE, bearer: token)
                            _ = check("sign out on \(replica)", signedOut?.0, 204)
                            load.flows.withLock { $0[index] += 1 }
                        }
                    }
                }
            }
        }

        /// Waits until every shopper has finished `more` journeys past `counts`.
        static func waitForJourneys(_ load: Load, after counts: [Int], more: Int) async throws {
            try await waitUntil("every shopper has finished \(more) more journeys", timeout: .seconds(60)) {
                zip(load.flowCounts, counts).allSatisfy { $0 >= $1 + more }
            }
        }

        @Test("keys add on every replica, keys activate on each at a different moment, then keys retire: not one request fails under load")
        func fleetRotationUnderLoad() async throws {
            TestLogs.start()
            let policy = TestEnvironment.fastPolicy.with {
                $0.codes.perOrderLimit = 100
                $0.codes.perEmailLimit = 1000
            }
            let env = try await TestEnvironment.make(policy: policy, backend: .postgres)
            let fleet = try await Fleet(count: 3, env: env)
            defer { fleet.stop() }
            let oldKid = try KeyringFile(path: fleet.directories[0] + "/keyring.json").load().keys[0].kid

            let load = Load()
            defer { load.stop.store(true, ordering: .relaxed) }
            async let shopping: Void = Self.shoppers(fleet, load)
            try await Self.waitForJourneys(load, after: load.flowCounts, more: 1)

            // 1. A new key, verify-only, published to every replica.
            _ = try await Self.keys(["add", "--data-dir", fleet.directories[0]])
            let newKid = try #require(
                try KeyringFile(path: fleet.directories[0] + "/keyring.json").load().keys.map(\.kid).first { $0 != oldKid }
            )
            for replica in 1..<3 { try Self.publish(fleet, from: 0, to: replica) }
            for replica in 0..<3 { try await Self.waitForReloads(fleet, replica, count: 1) }
            try await Self.waitForJourneys(load, after: load.flowCounts, more: 1)

            // 2. Each replica starts signing with it at its own moment, shoppers crossing replicas in between.
            for replica in 0..<3 {
                _ = try await Self.keys(["activate", newKid, "--data-dir", fleet.directories[replica]])
                try await Self.waitForReloads(fleet, replica, count: 2)
                try await Self.waitForJourneys(load, after: load.flowCounts, more: 1)
            }

            // 3. Once every journey under way began after the last activation, the old key retires, replica by replica.
            try await Self.waitForJourneys(load, after: load.flowCounts, more: 1)
            for replica in 0..<3 {
                _ = try await Self.keys(["retire", oldKid, "--data-dir", fleet.directories[replica]])
                try await Self.waitForReloads(fleet, replica, count: 3)
            }
            let kidsBefore = load.kids.withLock { $0.count }
            try await Self.waitForJourneys(load, after: load.flowCounts, more: 2)
            load.stop.store(true, ordering: .relaxed)
            await shopping

            #expect(load.unexpected.withLock { $0 }.isEmpty, "\(load.unexpected.withLock { $0 })")
            let kids = load.kids.withLock { $0 }
            #expect(kids.first == oldKid)
            #expect(kids[kidsBefore...].allSatisfy { $0 == newKid })
            #expect(load.flowCounts.reduce(0, +) >= 4 * 9)
            for replica in 0..<3 {
                #expect(
                    try await fleet.counter(replica, "guest_access_unknown_key_ids_total") == 0,
                    "replica \(replica) met an unknown kid"
                )
            }
        }

        @Test("A replica whose keyring lacks the key another replica signs with counts each token under it and logs the key id once")
        func halfRolledOutKeyringIsVisible() async throws {
            TestLogs.start()
            let env = try await TestEnvironment.make(policy: TestEnvironment.fastPolicy, backend: .postgres)
            // Replica 1 starts once the code is out: a worker that cannot read a queued request hands it back for a
            // couple of seconds at a time, and which worker claims it next is chance — the code would come late or,
            // within the test's patience, not at all.
            let fleet = try await Fleet(count: 2, started: 1, env: env)
            defer { fleet.stop() }
            // The operator's mistake: rotate on replica 0 without giving replica 1 the key first.
            _ = try await Self.keys(["rotate", "--data-dir", fleet.directories[0]])
            try await Self.waitForReloads(fleet, 0, count: 1)
            let order = Fixtures.orders[0]
            #expect(try await fleet.request(0, "/v1/access-codes", method: .POST, body: Fleets.FleetTests.body(order)).0 == 202)
            let code = try await env.waitForCode(order.orderNumber)
            try await fleet.start(1)
            let (status, text) = try await fleet.request(
                0,
                "/v1/access-codes/verify",
                method: .POST,
                body: Fleets.FleetTests.body(order, code)
            )
            #expect(status == 200)
            let token = try #require(Fleets.FleetTests.json(text)["accessToken"] as? String)
            TestLogs.secret(token)
            let kid = try #require(AccessTokenCodec.kid(of: token))
            for _ in 0..<3 { #expect(try await fleet.request(1, "/v1/guest/order", bearer: token).0 == 401) }
            // Three tokens, each counted.
            #expect(try await fleet.counter(1, "guest_access_unknown_key_ids_total", labels: #"source="access_token""#) == 3)
            #expect(try await fleet.counter(0, "guest_access_unknown_key_ids_total") == 0)
            let warnings = fleet.process(1).stderr.split(separator: "\n").filter {
                $0.contains("never held") && $0.contains(#""source":"access_token""#)
            }
            #expect(warnings.count == 1)
            #expect(warnings.first?.contains("\"kid\":\"\(kid)\"") == true)
            // Published, the key works on replica 1 too.
            try Self.publish(fleet, from: 0, to: 1)
            try await Self.waitForReloads(fleet, 1, count: 1)
            #expect(try await fleet.request(1, "/v1/guest/order", bearer: token).0 == 200)
        }
    }
}

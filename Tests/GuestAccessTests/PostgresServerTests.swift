import Foundation
import GuestAccessCore
import GuestAccessPolicy
import GuestAccessPostgres
import NIOHTTP1
import PostgresNIO
import Synchronization
import Testing

@testable import GuestAccessServer

extension Fleets {
    /// Against a PostgreSQL server that accepts TLS connections only (its
    /// certificate signed by a CA the test server script made) and that these
    /// tests stop and start. Serialized: a restart would cut the other tests off.
    @Suite("PostgreSQL over TLS, and restarted under load")
    struct PostgresServerTests {
        static func json(_ text: String) -> [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:]
        }

        /// How many of this database's connections use TLS, and how many do not.
        static func connections(_ url: String) async throws -> (tls: Int, plain: Int) {
            let database = try PostgresSettings(url: url).database
            return try await TestPostgres.withConnection(url) { connection in
                var counts = (tls: 0, plain: 0)
                let rows = try await connection.query(
                    "SELECT s.ssl, count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.datname = \(database) GROUP BY 1",
                    logger: TestPostgres.logger
                )
                for try await (ssl, count) in rows.decode((Bool, Int64).self) {
                    if ssl { counts.tls += Int(count) } else { counts.plain += Int(count) }
                }
                return counts
            }
        }

        @Test(
            "With verify-full and the server's CA as sslrootcert, or with require, the service connects to a TLS-only server over TLS and serves",
            arguments: ["verify-full", "require"]
        )
        func servesOverTLS(sslMode: String) async throws {
            var env = try TestEnvironment(policy: TestEnvironment.fastPolicy)
            env.databaseURL = try await TestPostgres.freshTLSDatabase(sslMode: sslMode)
            let fleet = try await Fleet(count: 1, env: env)
            defer { fleet.stop() }
            let (status, minted) = try await fleet.request(
                0,
                "/v1/admin/tracking-tokens",
                method: .POST,
                bearer: env.adminKey,
                body: #"{"orderNumber":"\#(Fixtures.orders[0].orderNumber)"}"#
            )
            #expect(status == 201)
            let token = try #require(Self.json(minted)["trackingToken"] as? String)
            TestLogs.secret(token)
            #expect(try await fleet.request(0, "/v1/tracking/\(token)").0 == 200)
            #expect(try await fleet.request(0, "/readyz").0 == 200)
            // The test's own inspecting connection is one of them; the service's are the rest.
            let counts = try await Self.connections(try #require(env.databaseURL))
            // The server refuses plain TCP (pg_hba `host … reject`), so the check is that the service got in at all, over TLS.
            #expect(counts.tls >= 2, "\(counts)")
        }

        @Test("verify-full refuses a server whose certificate the trust roots do not vouch for: the start fails")
        func verifyFullRefusesAnUnknownCA() async throws {
            var env = try TestEnvironment(policy: TestEnvironment.fastPolicy)
            let url = try await TestPostgres.freshTLSDatabase(sslMode: "verify-full")
            // The system's trust roots (no sslrootcert) do not hold the test CA.
            env.databaseURL = String(url.prefix { $0 != "?" }) + "?sslmode=verify-full"
            let result = try await BinaryRunner.run(
                [
                    "serve", "--port", "0", "--data-dir", env.directory, "--orders", env.ordersPath, "--admin-key-file", env.adminKeyPath,
                    "--database", try #require(env.databaseURL), "--database-password-file", try #require(TestPostgres.passwordFile),
                ],
                timeout: .seconds(60)
            )
            #expect(result.status != 0)
            #expect(result.stderr.lowercased().contains("certificate") || result.stderr.lowercased().contains("tls"), "\(result.stderr)")
        }

        final class Load: Sendable {
            let stop = Atomic<Bool>(false)
            let down = Atomic<Bool>(false)
            let recovered = Atomic<Bool>(false)
            let answered = Atomic<Int>(0)
            let unavailable = Atomic<Int>(0)
            let accepted = Mutex<[String]>([])
            let unexpected = Mutex<[String]>([])
            let lowered = Mutex<[String]>([])
        }

        @Test(
            "PostgreSQL restarted under load: 503 with Retry-After during the outage, full service after without a restart, nothing accepted lost, counters never lowered"
        )
        func restartedUnderLoad() async throws {
            TestLogs.start()
            let policy = TestEnvironment.fastPolicy.with {
                $0.codes.perOrderLimit = 100
                $0.codes.perEmailLimit = 1000
                $0.failureBudget.dailyPerOrder = 1000
                $0.failureBudget.totalPerOrder = 100_000
            }
            var env = try TestEnvironment(policy: policy)
            env.databaseURL = try await TestPostgres.freshTLSDatabase()
            let fleet = try await Fleet(count: 2, env: env)
            defer { fleet.stop() }
            let guessed = Fixtures.orders[2]
            let (_, minted) = try await fleet.request(
                0,
                "/v1/admin/tracking-tokens",
                method: .POST,
                bearer: env.adminKey,
                body: #"{"orderNumber":"\#(Fixtures.orders[0].orderNumber)"}"#
            )
            let trackingToken = try #require(Self.json(minted)["trackingToken"] as? String)
            TestLogs.secret(trackingToken)
            #expect(try await fleet.request(0, "/v1/access-codes", method: .POST, body: Fleets.FleetTests.body(guessed)).0 == 202)
            _ = try await env.waitForCode(guessed.orderNumber)

            let load = Load()
            // Stops the load however this scope ends: a failed wait below must not leave it running (it ignores cancellation).
            defer { load.stop.store(true, ordering: .relaxed) }
            let stored = env.stored
            // Watches the guessed order's counters: a value may stay or grow, never fall.
            async let watched: Void = {
                var last = (attempts: 0, total: 0, consecutive: 0)
                while !load.stop.load(ordering: .relaxed) {
                    if let code = try? await stored.codes()[guessed.orderNumber],
                        let budget = try? await stored.budgets()[guessed.orderNumber]
                    {
                        let now = (attempts: code.attempts, total: budget.total, consecutive: budget.consecutive)
                        if now.attempts < last.attempts || now.total < last.total || now.consecutive < last.consecutive {
                            load.lowered.withLock { $0.append("\(last) → \(now)") }
                        }
                        last = now
                    }
                    try? await Task.sleep(for: .milliseconds(100))
                }
            }()
            async let worked: Void = withTaskGroup(of: Void.self) { group in
                for worker in 0..<6 {
                    group.addTask {
                        var round = 0
                        while !load.stop.load(ordering: .relaxed) {
                            round += 1
                            let replica = (worker + round) % 2
                            let order = Fixtures.orders[(worker + round) % 2]
                            let (path, method, body, expected): (String, HTTPMethod, String?, Int) =
                                switch (worker + round) % 3 {
                                case 0: ("/v1/access-codes", .POST, Fleets.FleetTests.body(order), 202)
                                case 1: ("/v1/tracking/\(trackingToken)", .GET, nil, 200)
                                default: ("/v1/access-codes/verify", .POST, Fleets.FleetTests.body(guessed, "000000"), 401)
                                }
                            let sentAfterRecovery = load.recovered.load(ordering: .relaxed)
                            let answer = try? await fleet.send(replica, path, method: method, body: body)
                            load.answered.add(1, ordering: .relaxed)
                            if answer?.status == 202 { load.accepted.withLock { $0.append(order.orderNumber) } }
                            if answer?.status == 503 { load.unavailable.add(1, ordering: .relaxed) }
                            let ok =
                                answer?.status == expected
                                // Around the outage (sent before the recovery had settled): 503 with Retry-After.
                                || (answer?.status == 503 && answer?.retryAfter != nil && !sentAfterRecovery)
                            if !ok {
                                load.unexpected.withLock {
                                    $0.append("\(method) \(path.prefix(20)) on \(replica): \(answer.map { "\($0.status)" } ?? "no answer")")
                                }
                            }
                        }
                    }
                }
            }
            try await waitUntil("the load is under way") { load.answered.load(ordering: .relaxed) >= 30 }
            let before = try #require(try await stored.budgets()[guessed.orderNumber])

            load.down.store(true, ordering: .relaxed)
            try await TestPostgres.TLSServer.control("stop")
            // However this test ends, the server the other tests share comes back.
            defer { Task.detached { try? await TestPostgres.TLSServer.control("start") } }
            try await waitUntil("requests answer 503 and both replicas are not ready", timeout: .seconds(30)) {
                guard load.unavailable.load(ordering: .relaxed) >= 5 else { return false }
                let first = try await fleet.request(0, "/readyz").0
                let second = try await fleet.request(1, "/readyz").0
                return first == 503 && second == 503
            }
            try await TestPostgres.TLSServer.control("start")
            load.down.store(false, ordering: .relaxed)
            var readiness = ""
            do {
                try await waitUntil("both replicas are ready again", timeout: .seconds(30)) {
                    let first = try await fleet.request(0, "/readyz")
                    let second = try await fleet.request(1, "/readyz")
                    readiness = "\(first.0) \(first.1.prefix(200)) | \(second.0) \(second.1.prefix(200))"
                    return first.0 == 200 && second.0 == 200
                }
            } catch {
                Issue.record("readiness last seen: \(readiness)")
                throw error
            }
            // Requests already waiting on a store operation when the server came back may still end in 503 (each
            // gives up after its 10 s bound); once 30 more have been answered, every request must be served.
            let atReady = load.answered.load(ordering: .relaxed)
            try await waitUntil("30 requests are answered after both replicas are ready", timeout: .seconds(30)) {
                load.answered.load(ordering: .relaxed) >= atReady + 30
            }
            load.recovered.store(true, ordering: .relaxed)
            let atRecovery = load.answered.load(ordering: .relaxed)
            try await waitUntil("60 requests are answered after the recovery", timeout: .seconds(30)) {
                load.answered.load(ordering: .relaxed) >= atRecovery + 60
            }
            load.stop.store(true, ordering: .relaxed)
            await worked
            await watched
            #expect(load.unexpected.withLock { $0 }.isEmpty, "\(load.unexpected.withLock { $0 })")
            #expect(load.lowered.withLock { $0 }.isEmpty, "a counter fell: \(load.lowered.withLock { $0 })")
            let after = try #require(try await stored.budgets()[guessed.orderNumber])
            #expect(after.total > before.total, "wrong guesses after the restart were counted on top of those before")

            // Nothing accepted is lost: every request answered 202 ends sent, collapsed into a twin that was, or over the
            // issuance limit — never pending, expired or given up.
            try await waitUntil("every accepted request has ended", timeout: .seconds(90)) { try await stored.pendingRequests() == 0 }
            let outcomes = try await Fleets.FleetTests.outcomes(env)
            #expect(Set(outcomes.keys).isSubset(of: ["sent", "collapsed", "limited"]), "\(outcomes)")
            #expect(outcomes.values.reduce(0, +) >= load.accepted.withLock { $0.count } + 1)
            #expect(env.outbox().count == outcomes["sent", default: 0])
            #expect(try await fleet.request(1, "/v1/tracking/\(trackingToken)").0 == 200)
        }
    }
}

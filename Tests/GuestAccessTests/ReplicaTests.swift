import Foundation
import GuestAccessCore
import GuestAccessPolicy
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOHTTP1
import PostgresNIO
import Synchronization
import Testing

@testable import GuestAccessPostgres
@testable import GuestAccessServer

/// Two replicas on one PostgreSQL database are one service: each test starts
/// two real servers sharing the database and the keyring file, and spreads
/// its requests over both.
@Suite("Several replicas on one PostgreSQL database")
struct ReplicaTests {
    static let order = Fixtures.orders[0]

    /// Runs `body` with clients of two replicas of one service; the first reads `firstClock`.
    static func withReplicas(
        policy: Policy = TestEnvironment.fastPolicy,
        firstClock: any WallClock = SystemWallClock(),
        _ body: @Sendable (TestEnvironment, any TestClientProtocol, any TestClientProtocol) async throws -> Void
    ) async throws {
        TestLogs.start()
        let env = try await TestEnvironment.make(policy: policy, backend: .postgres)
        let first = try await buildApplication(reader: env.reader(), clock: firstClock)
        let second = try await buildApplication(reader: env.reader())
        try await first.test(.live) { a in
            try await second.test(.live) { b in try await body(env, a, b) }
        }
    }

    /// A replica's wall clock set `offset` seconds off the others'.
    struct SkewedClock: WallClock {
        let offset: TimeInterval
        func now() -> Date { Date() + offset }
    }

    @Test("A replica whose clock runs 5 s ahead issues no access token that outlives a revoke committed after it on another replica")
    func tokenFromAFastClockDoesNotOutliveARevoke() async throws {
        try await Self.withReplicas(firstClock: SkewedClock(offset: 5)) { env, fast, normal in
            #expect(try await normal.postJSON("/v1/access-codes", Self.body(Self.order.orderNumber, Self.order.email)).status == .accepted)
            let code = try await env.waitForCode(Self.order.orderNumber)
            let verified = try await fast.postJSON("/v1/access-codes/verify", Self.body(Self.order.orderNumber, Self.order.email, code))
            #expect(verified.status == .ok)
            let token = try #require(verified.json["accessToken"] as? String)
            TestLogs.secret(token)
            #expect(try await normal.get("/v1/guest/order", headers: bearer(token)).status == .ok)
            // The verify committed; now the order is revoked on the replica with the right time.
            let revoked = try await normal.execute(
                uri: "/v1/admin/orders/\(Self.order.orderNumber)/revoke",
                method: .post,
                headers: bearer(env.adminKey)
            )
            #expect(revoked.status == .noContent)
            #expect(try await normal.get("/v1/guest/order", headers: bearer(token)).status == .unauthorized)
            #expect(try await fast.get("/v1/guest/order", headers: bearer(token)).status == .unauthorized)
        }
    }

    static func body(_ number: String, _ email: String, _ code: String? = nil) -> String {
        VerifiedAccessTests.body(number, email, code)
    }

    @Test(
        "A token minted on one replica tracks on the other; a code requested on one verifies on the other; sign-out and revoke hold on both at once"
    )
    func stateIsShared() async throws {
        try await Self.withReplicas { env, a, b in
            let minted = try await a.postJSON(
                "/v1/admin/tracking-tokens",
                #"{"orderNumber":"\#(Self.order.orderNumber)"}"#,
                headers: bearer(env.adminKey)
            )
            #expect(minted.status == .created)
            let trackingToken = try #require(minted.json["trackingToken"] as? String)
            TestLogs.secret(trackingToken)
            #expect(try await b.get("/v1/tracking/\(trackingToken)").status == .ok)

            #expect(try await a.postJSON("/v1/access-codes", Self.body(Self.order.orderNumber, Self.order.email)).status == .accepted)
            let code = try await env.waitForCode(Self.order.orderNumber)
            let verified = try await b.postJSON("/v1/access-codes/verify", Self.body(Self.order.orderNumber, Self.order.email, code))
            #expect(verified.status == .ok)
            let accessToken = try #require(verified.json["accessToken"] as? String)
            TestLogs.secret(accessToken)
            #expect(try await a.get("/v1/guest/order", headers: bearer(accessToken)).status == .ok)
            // The same code on the first replica: used.
            let again = try await a.postJSON("/v1/access-codes/verify", Self.body(Self.order.orderNumber, Self.order.email, code))
            #expect(again.status == .unauthorized)

            #expect(try await a.execute(uri: "/v1/guest/token", method: .delete, headers: bearer(accessToken)).status == .noContent)
            #expect(try await b.get("/v1/guest/order", headers: bearer(accessToken)).status == .unauthorized)

            #expect(
                try await b.execute(uri: "/v1/admin/orders/\(Self.order.orderNumber)/revoke", method: .post, headers: bearer(env.adminKey))
                    .status == .noContent
            )
            #expect(try await a.get("/v1/tracking/\(trackingToken)").status == .notFound)
        }
    }

    @Test("Wrong guesses spread over two replicas evaluate at most maxAttempts, and right guesses on both succeed once")
    func attemptsAreCountedAcrossReplicas() async throws {
        // Budgets wide enough that the failures do not lock the order (a fresh code is asked for after).
        // 24 guesses, not 60: each replica's test client sends its half on one connection, one after
        // another, and on a loaded machine the last of 30 outlasted the client's 20 s read timeout.
        let policy = TestEnvironment.fastPolicy.with {
            $0.failureBudget.dailyPerOrder = 1000
            $0.failureBudget.totalPerOrder = 1000
        }
        try await Self.withReplicas(policy: policy) { env, a, b in
            #expect(try await a.postJSON("/v1/access-codes", Self.body(Self.order.orderNumber, Self.order.email)).status == .accepted)
            let code = try await env.waitForCode(Self.order.orderNumber)
            let guesses = (0..<24).map { String(format: "%06d", (Int(code)! + 1 + $0) % 1_000_000) }
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for (index, guess) in guesses.enumerated() {
                    let client = index % 2 == 0 ? a : b
                    group.addTask {
                        try await client.postJSON("/v1/access-codes/verify", Self.body(Self.order.orderNumber, Self.order.email, guess))
                            .status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == .unauthorized })
            let row = try #require(try await env.stored.codes()[Self.order.orderNumber])
            #expect(row.attempts == Policy.default.codes.maxAttempts)
            #expect(
                try await b.postJSON("/v1/access-codes/verify", Self.body(Self.order.orderNumber, Self.order.email, code)).status
                    == .unauthorized
            )

            // A fresh code, guessed right twenty times at once over both replicas: one success.
            #expect(try await b.postJSON("/v1/access-codes", Self.body(Self.order.orderNumber, Self.order.email)).status == .accepted)
            let fresh = try await env.waitForCode(Self.order.orderNumber, count: 2)
            let rights = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for index in 0..<20 {
                    let client = index % 2 == 0 ? a : b
                    group.addTask {
                        let response = try await client.postJSON(
                            "/v1/access-codes/verify",
                            Self.body(Self.order.orderNumber, Self.order.email, fresh)
                        )
                        if let token = response.json["accessToken"] as? String { TestLogs.secret(token) }
                        return response.status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(rights.filter { $0 == .ok }.count == 1)
            #expect(rights.filter { $0 == .unauthorized }.count == 19)
        }
    }

    @Test("Code requests accepted by either replica are each served once by the two replicas' workers, none lost")
    func everyRequestServedOnce() async throws {
        try await Self.withReplicas(
            policy: TestEnvironment.fastPolicy.with {
                $0.codes.perOrderLimit = 100
                $0.codes.perEmailLimit = 100
            }
        ) { env, a, b in
            var accepted = 0
            for index in 0..<24 {
                let order = Fixtures.orders[index % Fixtures.orders.count]
                let client = index % 2 == 0 ? a : b
                #expect(try await client.postJSON("/v1/access-codes", Self.body(order.orderNumber, order.email)).status == .accepted)
                accepted += 1
            }
            try await waitUntil("both replicas' workers have finished every request") { try await env.stored.pendingRequests() == 0 }
            let outcomes = try await TestPostgres.withConnection(try #require(env.databaseURL)) { connection in
                var counts: [String: Int] = [:]
                let rows = try await connection.query(
                    "SELECT outcome, count(*) FROM code_requests GROUP BY outcome",
                    logger: TestPostgres.logger
                )
                for try await (outcome, count) in rows.decode((String, Int64).self) { counts[outcome] = Int(count) }
                return counts
            }
            #expect(outcomes.values.reduce(0, +) == accepted)
            #expect(Set(outcomes.keys).isSubset(of: ["sent", "collapsed"]), "\(outcomes)")
            // One message per request that was sent, none twice.
            #expect(env.outbox().count == outcomes["sent", default: 0])
        }
    }

    @Test("serve runs on PostgreSQL given --database and --database-password-file")
    func binaryServesFromPostgres() async throws {
        let env = try await TestEnvironment.make(backend: .postgres)
        let process = try RunningProcess([
            "serve", "--port", "0", "--data-dir", env.directory, "--orders", env.ordersPath, "--admin-key-file", env.adminKeyPath,
            "--database", try #require(env.databaseURL), "--database-password-file", try #require(TestPostgres.passwordFile),
        ])
        defer { process.signal(SIGKILL) }
        let base = "http://127.0.0.1:\(try await process.waitForPort())"
        let (status, body) = try await BinaryTests.request(
            base + "/v1/admin/tracking-tokens",
            method: .POST,
            bearer: env.adminKey,
            body: #"{"orderNumber":"\#(Self.order.orderNumber)"}"#
        )
        #expect(status == 201)
        let token = try #require((try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["trackingToken"] as? String)
        TestLogs.secret(token)
        #expect(try await BinaryTests.request(base + "/v1/tracking/\(token)").0 == 200)
        #expect(try await BinaryTests.request(base + "/readyz").0 == 200)
        let stored = try await TestPostgres.withConnection(try #require(env.databaseURL)) { connection in
            var count = 0
            for try await value in try await connection.query("SELECT count(*) FROM tracking_tokens", logger: TestPostgres.logger)
                .decode(Int64.self)
            {
                count = Int(value)
            }
            return count
        }
        #expect(stored == 1)
    }

    @Test("While PostgreSQL is unreachable, /readyz and requests answer 503 with Retry-After; once it is back the service serves again")
    func outageAndRecovery() async throws {
        TestLogs.start()
        var env = try await TestEnvironment.make(policy: TestEnvironment.fastPolicy, backend: .postgres)
        let direct = try #require(env.databaseURL)
        let server = try PostgresSettings(url: direct)
        let relay = try await PythonPeer(
            script: "tcp_relay.py",
            out: "relay.jsonl",
            arguments: ["--target", "\(server.host):\(server.port)", "--control", env.directory + "/relay-control"],
            name: "TCP relay"
        )
        env.databaseURL = direct.replacingOccurrences(of: ":\(server.port)/", with: ":\(relay.port)/")
        let relayed = env
        let app = try await buildApplication(reader: relayed.reader())
        try await app.test(.live) { client in
            let env = relayed
            #expect(try await client.get("/readyz").status == .ok)
            let minted = try await client.postJSON(
                "/v1/admin/tracking-tokens",
                #"{"orderNumber":"\#(Self.order.orderNumber)"}"#,
                headers: bearer(env.adminKey)
            )
            let token = try #require(minted.json["trackingToken"] as? String)
            TestLogs.secret(token)

            try Data("cut".utf8).write(to: URL(fileURLWithPath: env.directory + "/relay-control"))
            try await waitUntil("/readyz answers 503 with the database cut off") {
                try await client.get("/readyz").status == .serviceUnavailable
            }
            let started = ContinuousClock.now
            let tracking = try await client.get("/v1/tracking/\(token)")
            #expect(tracking.status == .serviceUnavailable && tracking.errorCode == "unavailable")
            #expect(tracking.headers[.retryAfter] == "5")
            #expect(
                ContinuousClock.now - started < .seconds(15),
                "a request during the outage answered after \(ContinuousClock.now - started)"
            )
            let request = try await client.postJSON("/v1/access-codes", Self.body(Self.order.orderNumber, Self.order.email))
            #expect(request.status == .serviceUnavailable)

            try Data("open".utf8).write(to: URL(fileURLWithPath: env.directory + "/relay-control"))
            try await waitUntil("/readyz answers 200 once the database is back", timeout: .seconds(30)) {
                try await client.get("/readyz").status == .ok
            }
            #expect(try await client.get("/v1/tracking/\(token)").status == .ok)
            #expect(try await client.postJSON("/v1/access-codes", Self.body(Self.order.orderNumber, Self.order.email)).status == .accepted)
        }
    }

    @Test("A replica killed while it holds a request: another replica takes the request over once the lease runs out, and one code is sent")
    func killedReplicasClaimIsTakenOver() async throws {
        TestLogs.start()
        let storefront = FakeStorefront(orders: Fixtures.orders, credential: HTTPProviderTests.credential)
        storefront.delay.withLock { $0 = .seconds(3) }
        // Lease: provider timeout + mail timeout + 10 s = 19 s. The provider timeout leaves the 3 s lookup 5 s
        // of slack: with 1 s (a 4 s timeout) the second replica's lookup timed out on a loaded CI machine, was
        // retried, and the storefront counted three lookups.
        let policy = TestEnvironment.fastPolicy.with {
            $0.provider.timeoutSeconds = 8
            $0.mail.timeoutSeconds = 1
        }
        try await storefront.run { port in
            let env = try await TestEnvironment.make(policy: policy, backend: .postgres)
            let provider = "http://127.0.0.1:\(port)"
            let first = try RunningProcess(
                [
                    "serve", "--port", "0", "--data-dir", env.directory, "--provider-url", provider, "--admin-key-file", env.adminKeyPath,
                    "--policy", try #require(env.policyPath), "--mailer", "file:" + env.outboxPath,
                    "--database", try #require(env.databaseURL), "--database-password-file", try #require(TestPostgres.passwordFile),
                ],
                environment: ["GUEST_ACCESS_PROVIDER_CREDENTIAL": HTTPProviderTests.credential]
            )
            defer { first.signal(SIGKILL) }
            let base = "http://127.0.0.1:\(try await first.waitForPort())"
            let (status, _) = try await BinaryTests.request(
                base + "/v1/access-codes",
                method: .POST,
                body: Self.body(Self.order.orderNumber, Self.order.email)
            )
            #expect(status == 202)
            try await waitUntil("the first replica's worker is looking the order up") {
                storefront.seenOrders.all.contains(Self.order.orderNumber)
            }
            first.signal(SIGKILL)

            let second = try await buildApplication(
                reader: env.reader([Setting.providerURL.key: provider, Setting.providerCredential.key: HTTPProviderTests.credential])
            )
            try await second.test(.live) { _ in
                _ = try await env.waitForCode(Self.order.orderNumber, timeout: .seconds(40))
                try await waitUntil("the request has ended") { try await env.stored.pendingRequests() == 0 }
            }
            #expect(env.outbox().filter { $0["orderNumber"] == Self.order.orderNumber }.count == 1)
            #expect(try await env.stored.outcomes(of: Self.order.orderNumber) == ["sent"])
            let lookups = storefront.seenOrders.all.filter { $0 == Self.order.orderNumber }.count
            #expect(lookups == 2, "the first replica's lookup and the taking-over replica's one; the service log says why any other")
        }
    }

    @Test("Every pooled connection runs with the statement timeout")
    func statementTimeoutIsSet() async throws {
        let url = try await TestPostgres.freshDatabase()
        let database = try PostgresDatabase(
            settings: try PostgresSettings(url: url),
            password: try TestPostgres.password(),
            logger: Logger(label: "test")
        )
        let setting = try await withThrowingTaskGroup(of: String?.self) { group in
            group.addTask {
                await database.client.run(); return nil
            }
            defer { group.cancelAll() }
            return try await database.connection { connection in
                var value = ""
                for try await text in try await connection.query("SHOW statement_timeout", logger: TestPostgres.logger).decode(String.self)
                {
                    value = text
                }
                return value
            }
        }
        #expect(setting == "5s")
    }

    @Test("A replica starting while another holds the migration lock past the statement timeout waits for it, and starts")
    func migrationWaitsForTheLock() async throws {
        let url = try await TestPostgres.freshDatabase()
        let settings = try PostgresSettings(url: url)
        let password = try TestPostgres.password()
        try await TestPostgres.withConnection(url) { holder in
            for try await _ in try await holder.query(
                "SELECT pg_advisory_lock(\(PostgresDatabase.migrationLock))",
                logger: TestPostgres.logger
            ) {}
            // The precondition: the lock is held (another session cannot take it).
            let free = try await TestPostgres.withConnection(url) { other in
                var taken = true
                for try await value in try await other.query(
                    "SELECT pg_try_advisory_lock(\(PostgresDatabase.migrationLock))",
                    logger: TestPostgres.logger
                ).decode(Bool.self) {
                    taken = value
                }
                return taken
            }
            #expect(!free, "the side session does not hold the migration lock")
            let migrating = Task {
                try await PostgresDatabase.migrate(settings: settings, password: password, logger: Logger(label: "test"))
            }
            try await Task.sleep(for: .seconds(6))  // longer than the 5 s statement timeout: the wait must outlast it
            try await holder.query("SELECT pg_advisory_unlock(\(PostgresDatabase.migrationLock))", logger: TestPostgres.logger)
            try await migrating.value
        }
        let names = try await TestPostgres.withConnection(url) { connection in
            var names: [String] = []
            for try await name in try await connection.query("SELECT name FROM guest_access_migrations", logger: TestPostgres.logger)
                .decode(String.self)
            {
                names.append(name)
            }
            return names
        }
        #expect(names == PostgresMigrations.all.map(\.name))
    }

    @Test("Replicas starting together apply each migration once")
    func migrationsRunOnce() async throws {
        let url = try await TestPostgres.freshDatabase()
        let settings = try PostgresSettings(url: url)
        let password = try TestPostgres.password()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask { try await PostgresDatabase.migrate(settings: settings, password: password, logger: Logger(label: "test")) }
            }
            try await group.waitForAll()
        }
        let names = try await TestPostgres.withConnection(url) { connection in
            var names: [String] = []
            let rows = try await connection.query("SELECT name FROM guest_access_migrations ORDER BY name", logger: TestPostgres.logger)
            for try await name in rows.decode(String.self) { names.append(name) }
            return names
        }
        #expect(names == PostgresMigrations.all.map(\.name))
    }
}

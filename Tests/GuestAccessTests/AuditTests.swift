import Foundation
import GRDB
import GuestAccessCore
import GuestAccessCrypto
import GuestAccessHTTP
import GuestAccessPolicy
import GuestAccessStorage
import Hummingbird
import HummingbirdTesting
import Testing

@testable import GuestAccessServer
@testable import GuestAccessService

@Suite("The audit trail of security events")
struct AuditTests {
    static let order = Fixtures.orders[0]
    static let other = Fixtures.orders[1]

    /// The events recorded about `orderNumber` under the keyring's keys, oldest first.
    static func events(_ env: TestEnvironment, orderNumber: String) async throws -> [AuditEvent] {
        let database = try GuestAccessDatabase(path: env.directory + "/" + GuestAccessDatabase.fileName, synchronous: .full)
        let keyring = try Keyring(document: KeyringFile(dataDirectory: env.directory).load())
        return try await SQLiteAuditTrail(database: database).events(
            AuditQuery(orderDigests: keyring.keys.map { (Digests.order(orderNumber, key: $0), $0.kid) }, limit: 1000)
        )
    }

    /// Waits until the worker has recorded `count` events of `kind` for the order.
    static func waitFor(_ kind: AuditEventKind, count: Int = 1, _ env: TestEnvironment, orderNumber: String) async throws {
        try await waitUntil("\(count) \(kind.rawValue) event(s) are recorded for \(orderNumber)", poll: .milliseconds(100)) {
            try await Self.events(env, orderNumber: orderNumber).filter { $0.kind == kind }.count >= count
        }
    }

    /// Waits until the worker has finished every code request in `env`'s database.
    static func waitForQueueDrained(_ env: TestEnvironment, timeout: Duration = .seconds(10)) async throws {
        try await waitUntil("the worker has finished every code request", timeout: timeout, poll: .milliseconds(50)) {
            try DatabaseInspector(directory: env.directory).requestCounts().pending == 0
        }
    }

    @Test("Each security event is recorded once, keyed by the order's digest, and the trail holds no order number, email, code or token")
    func recordsEveryEvent() async throws {
        TestLogs.start()
        let env = try TestEnvironment(policy: TestEnvironment.fastPolicy)
        let app = try await buildApplication(reader: env.reader())
        let secrets = try await app.test(.live) { client in
            var secrets = [Self.order.orderNumber, Self.order.email, "mallory@example.com"]
            let minted = try await client.postJSON(
                "/v1/admin/tracking-tokens",
                #"{"orderNumber":"\#(Self.order.orderNumber)"}"#,
                headers: bearer(env.adminKey)
            )
            #expect(minted.status == .created)
            secrets.append(try #require(minted.json["trackingToken"] as? String))

            let first = try await VerifiedAccessTests.requestCode(client, env)
            _ = try await client.postJSON("/v1/access-codes", VerifiedAccessTests.body(Self.order.orderNumber, "mallory@example.com"))
            try await Self.waitFor(.codeNotSent, env, orderNumber: Self.order.orderNumber)
            for _ in 0..<5 {  // the fifth wrong code burns it
                let response = try await client.postJSON(
                    "/v1/access-codes/verify",
                    VerifiedAccessTests.body(Self.order.orderNumber, Self.order.email, VerifiedAccessTests.wrong(first))
                )
                #expect(response.status == .unauthorized)
            }
            let second = try await VerifiedAccessTests.requestCode(client, env, count: 2)
            secrets += [first, second]
            let uncounted = try await client.postJSON(
                "/v1/access-codes/verify",
                VerifiedAccessTests.body(Self.order.orderNumber, "mallory@example.com", second)
            )
            #expect(uncounted.status == .unauthorized)
            let verified = try await client.postJSON(
                "/v1/access-codes/verify",
                VerifiedAccessTests.body(Self.order.orderNumber, Self.order.email, second)
            )
            #expect(verified.status == .ok)
            let token = try #require(verified.json["accessToken"] as? String)
            secrets.append(token)
            #expect(try await client.execute(uri: "/v1/guest/token", method: .delete, headers: bearer(token)).status == .noContent)
            let revoke = try await client.execute(
                uri: "/v1/admin/orders/\(Self.order.orderNumber)/revoke",
                method: .post,
                headers: bearer(env.adminKey)
            )
            #expect(revoke.status == .noContent)
            return secrets
        }

        let events = try await Self.events(env, orderNumber: Self.order.orderNumber)
        let count = { (kind: AuditEventKind) in events.filter { $0.kind == kind }.count }
        #expect(count(.trackingTokenMinted) == 1)
        // The request that ended without a code is folded into its code.not_sent row.
        #expect(count(.codeRequested) == 2)
        #expect(count(.codeDelivered) == 2)
        #expect(events.filter { $0.kind == .codeNotSent }.map(\.detail) == ["mismatch"])
        #expect(events.filter { $0.kind == .codeNotSent }.map(\.count) == [1])
        #expect(events.filter { $0.kind == .verifyFailed }.map(\.detail) == ["counted", "counted", "counted", "counted", "uncounted"])
        #expect(count(.codeBurned) == 1)
        #expect(count(.verifySucceeded) == 1)
        #expect(count(.tokenIssued) == 1)
        #expect(count(.tokenRevoked) == 1)
        #expect(count(.orderRevoked) == 1)
        let key = try Keyring(document: KeyringFile(dataDirectory: env.directory).load()).active
        #expect(events.allSatisfy { $0.orderDigest == Digests.order(Self.order.orderNumber, key: key) && $0.kid == key.kid })
        #expect(try await Self.events(env, orderNumber: Self.other.orderNumber).isEmpty)

        // An insider reading the table finds none of the order's identifiers or secrets.
        let dump = try DatabaseInspector(directory: env.directory).read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM audit_events").map { row in
                row.databaseValues.map { value -> String in
                    if let data = Data.fromDatabaseValue(value) { return String(decoding: data, as: UTF8.self) }
                    return value.description
                }.joined(separator: "|")
            }.joined(separator: "\n")
        }
        #expect(!dump.isEmpty)
        for secret in secrets {
            #expect(!dump.lowercased().contains(secret.lowercased()), "audit trail holds \(secret.prefix(3))…")
            TestLogs.secret(secret)
        }
    }

    @Test("The size cap prunes only the kinds traffic multiplies, oldest first, never locks, burns, successes or key events")
    func capSparesSignificantEvents() async throws {
        let directory = try TestEnvironment.temporaryDirectory()
        let trail = SQLiteAuditTrail(
            database: try GuestAccessDatabase(path: directory + "/" + GuestAccessDatabase.fileName, synchronous: .normal)
        )
        for index in 0..<5 { try await trail.record(AuditEvent(at: Date(), kind: .orderLocked, detail: "L\(index)")) }
        for index in 0..<30 { try await trail.record(AuditEvent(at: Date(), kind: .verifyFailed, detail: "F\(index)")) }
        try await trail.record(AuditEvent(at: Date(), kind: .keyRotated, detail: "k"))
        #expect(try await trail.prune(before: Date() - 86400, keepingAtMost: 10) == 20)
        let kept = try await trail.events(AuditQuery(limit: 100))
        #expect(kept.filter { $0.kind == .orderLocked }.count == 5 && kept.contains { $0.kind == .keyRotated })
        #expect(kept.filter { $0.kind == .verifyFailed }.map(\.detail) == (20..<30).map { "F\($0)" })
    }

    @Test("A flood of code requests adds audit rows per order, outcome and hour, not per request")
    func requestFloodIsFolded() async throws {
        TestLogs.start()
        let env = try TestEnvironment(policy: TestEnvironment.fastPolicy)
        let app = try await buildApplication(reader: env.reader())
        try await app.test(.live) { client in
            for index in 0..<40 {
                _ = try await client.postJSON("/v1/access-codes", VerifiedAccessTests.body("ORD-NONE-\(index)", "flood@example.org"))
                _ = try await client.postJSON("/v1/access-codes", VerifiedAccessTests.body(Self.order.orderNumber, "flood@example.org"))
            }
            try await Self.waitForQueueDrained(env, timeout: .seconds(20))
        }
        let rows = try DatabaseInspector(directory: env.directory).read { db in
            try Row.fetchAll(db, sql: "SELECT kind, detail, count, order_digest IS NULL AS anonymous FROM audit_events ORDER BY id")
        }
        let summary = rows.map {
            "\($0["kind"] as String)|\($0["detail"] as String? ?? "")|\($0["count"] as Int)|\($0["anonymous"] as Bool)"
        }
        // 80 requests, all ended without a code (within one hour, or two if the test straddles one).
        #expect(rows.count <= 4, "\(summary)")
        #expect(rows.reduce(0) { $0 + ($1["count"] as Int) } == 80, "\(summary)")
        #expect(summary.contains { $0.hasPrefix("code.not_sent|no-order|") && $0.hasSuffix("|true") })
        #expect(summary.contains { $0.hasPrefix("code.not_sent|") && !$0.hasPrefix("code.not_sent|no-order|") && $0.hasSuffix("|false") })
    }

    @Test("guest-access audit finds an order's events by number across a key rotation and lists key events")
    func auditCommand() async throws {
        TestLogs.start()
        let env = try TestEnvironment(policy: TestEnvironment.fastPolicy)
        let request = { (number: String) in
            let app = try await buildApplication(reader: env.reader())
            try await app.test(.live) { client in
                let response = try await client.postJSON("/v1/access-codes", VerifiedAccessTests.body(number, "someone@example.com"))
                #expect(response.status == .accepted)
                try await Self.waitForQueueDrained(env)
            }
        }
        try await request(Self.order.orderNumber)
        try await request(Self.other.orderNumber)
        let before = try Keyring(document: KeyringFile(dataDirectory: env.directory).load()).active.kid
        #expect(try await BinaryRunner.run(["keys", "rotate", "--data-dir", env.directory]).status == 0)
        try await request(Self.order.orderNumber)
        let after = try Keyring(document: KeyringFile(dataDirectory: env.directory).load()).active.kid

        let audit = { (arguments: [String]) in try await BinaryRunner.run(["audit", "--data-dir", env.directory] + arguments) }
        // Each request had another email: it ended as a mismatch, folded into a code.not_sent row.
        let byOrder = try await audit(["--order", Self.order.orderNumber, "--event", "code.not_sent", "--json"])
        #expect(byOrder.status == 0)
        let lines = byOrder.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(lines.count == 2)
        #expect(lines.map { $0["kid"] as? String } == [before, after])
        #expect(
            lines.allSatisfy {
                $0["kind"] as? String == "code.not_sent" && $0["detail"] as? String == "mismatch" && $0["count"] as? Int == 1
                    && ($0["orderDigest"] as? String)?.count == 64
            }
        )
        #expect(!byOrder.stdout.contains(Self.order.orderNumber))

        let keyEvents = try await audit(["--event", "key.rotated"])
        #expect(keyEvents.status == 0)
        #expect(keyEvents.stdout.contains("key.rotated") && keyEvents.stdout.contains(after))
        let both = try await audit(["--event", "code.not_sent", "--event", "key.rotated"])
        #expect(both.stdout.split(separator: "\n").count == 4)  // three requests and the rotation
        #expect(try await audit(["--since", "2999-01-01T00:00:00Z"]).stdout.isEmpty)

        // Once the old key is retired, its digests no longer name the order.
        #expect(try await BinaryRunner.run(["keys", "retire", before, "--data-dir", env.directory]).status == 0)
        let afterRetire = try await audit(["--order", Self.order.orderNumber, "--event", "code.not_sent"])
        #expect(afterRetire.stdout.split(separator: "\n").count == 1)
        #expect(try await audit(["--event", "key.retired"]).stdout.contains(before))

        let missing = try await BinaryRunner.run(["audit", "--data-dir", env.directory + "/nowhere"])
        #expect(missing.status != 0 && missing.stderr.contains("no database"))
    }

    @Test(
        "guest-access audit refuses a bad filter with an error line",
        arguments: [["--event", "nope"], ["--since", "yesterday"], ["--limit", "0"], ["--order", "ORD/../1"]]
    )
    func auditRefusesBadFilters(filter: [String]) async throws {
        let env = try TestEnvironment()
        // A trail to read, so that the refusal is the filter's and not "no database".
        _ = try GuestAccessDatabase(path: env.directory + "/" + GuestAccessDatabase.fileName, synchronous: .full)
        let result = try await BinaryRunner.run(["audit", "--data-dir", env.directory] + filter)
        #expect(result.status != 0 && result.stderr.hasPrefix("guest-access: error:"), "\(result.stderr)")
        #expect(!result.stderr.contains("no database"), "\(result.stderr)")
    }

    @Test("At start the service prunes audit events past retention and finished code requests older than a day, never pending ones")
    func retention() async throws {
        TestLogs.start()
        let env = try TestEnvironment(policy: TestEnvironment.fastPolicy)
        let database = try GuestAccessDatabase(path: env.directory + "/" + GuestAccessDatabase.fileName, synchronous: .full)
        let queue = SQLiteCodeRequestQueue(database: database)
        let trail = SQLiteAuditTrail(database: database)
        let old = Date() - 2 * 86400
        let ancient = Date() - 400 * 86400
        for (number, at) in [("ORD-OLD-DONE", old), ("ORD-RECENT-PENDING", Date() - 120), ("ORD-NEW-DONE", Date())] {
            try await queue.enqueue(
                orderNumber: number,
                emailDigest: [UInt8](repeating: 1, count: 32),
                emailKid: "k",
                clientDigest: [],
                language: .en,
                at: at,
                audit: AuditEvent(at: at, kind: .codeRequested)
            )
        }
        try await trail.record(AuditEvent(at: ancient, kind: .keyRotated, detail: "k-ancient"))
        let finishedIDs = try DatabaseInspector(directory: env.directory).read { db in
            try Int64.fetchAll(db, sql: "SELECT id FROM code_requests WHERE order_number IN ('ORD-OLD-DONE', 'ORD-NEW-DONE')")
        }
        for id in finishedIDs {
            let unclaimed = CodeRequest(
                id: id,
                orderNumber: "",
                emailDigest: [],
                emailKid: "k",
                requestedAt: Date(),
                deliveryAttempts: 0,
                leaseToken: 0
            )
            try await queue.finish(unclaimed, outcome: .noOrder, event: AuditEvent(at: Date(), kind: .codeNotSent, detail: "no-order"))
        }

        let app = try await buildApplication(reader: env.reader())
        try await app.test(.live) { client in
            #expect(try await client.get("/healthz").status == .ok)
            var remaining: [String] = []
            try await waitUntil("the request finished two days ago is pruned", poll: .milliseconds(50)) {
                remaining = try DatabaseInspector(directory: env.directory).read { db in
                    try String.fetchAll(db, sql: "SELECT order_number FROM code_requests ORDER BY order_number")
                }
                return !remaining.contains("ORD-OLD-DONE")
            }
            // The recent pending request stays (the worker may finish it meanwhile, as no-order; it is not pruned for an hour).
            #expect(remaining == ["ORD-NEW-DONE", "ORD-RECENT-PENDING"])
            let kinds = try await trail.events(AuditQuery(kinds: [.keyRotated], limit: 10))
            #expect(kinds.isEmpty)
        }
    }
}

import Foundation
import GuestAccessCore
import GuestAccessStorage
import Logging
import PostgresNIO
import Testing

@testable import GuestAccessPostgres
@testable import GuestAccessService

/// The store ports' contracts, checked the same way on SQLite and on
/// PostgreSQL: whatever a use case relies on must hold on both adapters.
/// (SQLite's query plans and file checks stay in their own suites.)
@Suite("Store ports on both backends")
struct StorePortTests {
    /// A fresh database's tracking-token store and queue on `backend`, live for `body`.
    static func withStores(
        _ backend: TestBackend,
        _ body: (any TrackingTokenStore, any CodeRequestQueue) async throws -> Void
    ) async throws {
        switch backend {
        case .sqlite:
            let directory = try TestEnvironment.temporaryDirectory()
            let stores = SQLiteStores(
                database: try GuestAccessDatabase(path: directory + "/" + GuestAccessDatabase.fileName, synchronous: .normal)
            )
            try await body(stores.tracking, stores.queue)
        case .postgres:
            try await withPostgresStores { stores, _ in try await body(stores.tracking, stores.queue) }
        }
    }

    /// A fresh PostgreSQL database's stores, live for `body`.
    static func withPostgresStores(_ body: (PostgresStores, _ url: String) async throws -> Void) async throws {
        let url = try await TestPostgres.freshDatabase()
        let settings = try PostgresSettings(url: url)
        let password = try TestPostgres.password()
        try await PostgresDatabase.migrate(settings: settings, password: password, logger: Logger(label: "test"))
        let database = try PostgresDatabase(settings: settings, password: password, logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await database.client.run() }
            defer { group.cancelAll() }
            try await body(PostgresStores(database: database), url)
        }
    }

    static func enqueue(_ queue: some CodeRequestQueue, _ number: String, client: UInt8, at date: Date = Date()) async throws {
        try await queue.enqueue(
            orderNumber: number,
            emailDigest: [UInt8](repeating: 1, count: 32),
            emailKid: "k",
            clientDigest: [client],
            language: .en,
            at: date,
            audit: AuditEvent(at: date, kind: .codeRequested)
        )
    }

    @Test(
        "A token's standing reads its sign-out and its order's latest revocation, to the millisecond, against a model over random operations",
        arguments: TestBackend.allCases
    )
    func standingFollowsModel(backend: TestBackend) async throws {
        switch backend {
        case .sqlite:
            let directory = try TestEnvironment.temporaryDirectory()
            let stores = SQLiteStores(
                database: try GuestAccessDatabase(path: directory + "/" + GuestAccessDatabase.fileName, synchronous: .normal)
            )
            try await Self.checkStanding(revocations: stores.revocations, tracking: stores.tracking)
        case .postgres:
            try await Self.withPostgresStores { stores, _ in
                try await Self.checkStanding(revocations: stores.revocations, tracking: stores.tracking)
            }
        }
    }

    /// Random sign-outs and order revocations (times going back as well as
    /// forward: the latest must win) over a few tokens and orders, with every
    /// pair's standing checked against a dictionary after each step.
    static func checkStanding(revocations: some AccessTokenRevocationStore, tracking: some TrackingTokenStore) async throws {
        let jtis = ["jti-a", "jti-b", "jti-c"]
        let orders = ["ORD-1", "ORD-2", "ORD-3"]
        var signedOut: Set<String> = []
        var revokedAt: [String: Int64] = [:]
        var generator = SystemRandomNumberGenerator()
        let start = Int64(Date().timeIntervalSince1970 * 1000)
        for _ in 0..<40 {
            if Bool.random(using: &generator) {
                let jti = jtis.randomElement(using: &generator)!
                try await revocations.revoke(jti: jti, expiresAt: Date().addingTimeInterval(3600), now: Date())
                signedOut.insert(jti)
            } else {
                let order = orders.randomElement(using: &generator)!
                // Sub-millisecond parts are dropped on the way in: 0.6 ms past `ms` is stored as `ms`, not
                // rounded up to the next millisecond.
                let ms = start + Int64.random(in: -5_000...5_000, using: &generator)
                try await tracking.revokeOrder(order, at: Date(timeIntervalSince1970: (Double(ms) + 0.6) / 1000))
                revokedAt[order] = max(revokedAt[order] ?? .min, ms)
            }
            for jti in jtis {
                for order in orders {
                    let standing = try await revocations.standing(jti: jti, orderNumber: order)
                    #expect(standing.signedOut == signedOut.contains(jti), "\(jti) \(order)")
                    #expect(
                        standing.orderRevokedAt.map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) } == revokedAt[order],
                        "\(jti) \(order)"
                    )
                }
            }
        }
        #expect(
            try await revocations.standing(jti: "jti-z", orderNumber: "ORD-9") == AccessTokenStanding(signedOut: false, orderRevokedAt: nil)
        )
    }

    @Test(
        "Tracking tokens stop resolving at expiry and at revocation; tokens minted after a revocation work",
        arguments: TestBackend.allCases
    )
    func trackingTokens(backend: TestBackend) async throws {
        try await Self.withStores(backend) { store, _ in try await Self.checkTrackingTokens(store) }
    }

    static func checkTrackingTokens(_ store: some TrackingTokenStore) async throws {
        let clock = TestClock()
        let tokens = TrackingTokens(store: store, clock: clock, ttlDays: 1)
        let first = try await tokens.mint(orderNumber: "ORD-1")
        #expect(try await tokens.resolve(first) == "ORD-1")
        clock.advance(by: 86399)
        #expect(try await tokens.resolve(first) == "ORD-1")
        clock.advance(by: 2)
        #expect(try await tokens.resolve(first) == nil)
        let second = try await tokens.mint(orderNumber: "ORD-2")
        let other = try await tokens.mint(orderNumber: "ORD-3")
        clock.advance(by: 1)
        try await store.revokeOrder("ORD-2", at: clock.now())
        #expect(try await tokens.resolve(second) == nil)
        #expect(try await tokens.resolve(other) == "ORD-3")
        clock.advance(by: 1)
        let third = try await tokens.mint(orderNumber: "ORD-2")
        #expect(try await tokens.resolve(third) == "ORD-2")
        #expect(try await tokens.resolve(String(third.dropLast())) == nil)
    }

    @Test("A client that queued first does not keep a later client waiting behind all its requests", arguments: TestBackend.allCases)
    func clientTurns(backend: TestBackend) async throws {
        try await Self.withStores(backend) { _, queue in
            for index in 0..<5 { try await Self.enqueue(queue, "ORD-A-\(index)", client: 1) }
            try await Self.enqueue(queue, "ORD-B-0", client: 2)
            var claimed: [String] = []
            while let request = try await queue.claimNext(at: Date(), lease: 60) {
                claimed.append(request.orderNumber)
                _ = try await queue.finish(request, outcome: .noOrder, event: AuditEvent(at: Date(), kind: .codeNotSent))
            }
            #expect(claimed.count == 6)
            #expect(claimed.prefix(2).contains("ORD-B-0"), "\(claimed)")
        }
    }

    @Test(
        "Only the claim's holder can end or reschedule a request; reschedule counts an attempt only when asked",
        arguments: TestBackend.allCases
    )
    func leasesAndReschedules(backend: TestBackend) async throws {
        try await Self.withStores(backend) { _, queue in
            try await Self.enqueue(queue, "ORD-1", client: 1)
            let first = try #require(try await queue.claimNext(at: Date(), lease: 1))
            // Once its lease has run out, another claim takes the request with a new token
            // (waited out for real: on PostgreSQL a lease lapses by the database's clock too).
            try await Task.sleep(for: .milliseconds(1100))
            let second = try #require(try await queue.claimNext(at: Date(), lease: 60))
            #expect(first.id == second.id && first.leaseToken != second.leaseToken)
            let event = AuditEvent(at: Date() + 2, kind: .codeNotSent, detail: "mismatch")
            #expect(try await queue.finish(first, outcome: .mismatch, event: event) == nil)
            try await queue.reschedule(first, to: Date() + 3600, countsAttempt: true)
            #expect(try await queue.pendingCount() == 1)

            try await queue.reschedule(second, to: Date() + 2, countsAttempt: false)
            let third = try #require(try await queue.claimNext(at: Date() + 3, lease: 60))
            #expect(third.deliveryAttempts == 0)
            try await queue.reschedule(third, to: Date() + 3, countsAttempt: true)
            let fourth = try #require(try await queue.claimNext(at: Date() + 4, lease: 60))
            #expect(fourth.deliveryAttempts == 1)
            #expect(try await queue.finish(fourth, outcome: .mismatch, event: event) == 0)
            #expect(try await queue.pendingCount() == 0)
            #expect(try await queue.claimNext(at: Date() + 5, lease: 60) == nil)
        }
    }

    @Test("On PostgreSQL a replica whose clock runs ahead takes over no lease still live by the database's clock")
    func aFastClockTakesOverNoLiveLease() async throws {
        try await Self.withStores(.postgres) { _, queue in
            try await Self.enqueue(queue, "ORD-1", client: 1)
            let held = try #require(try await queue.claimNext(at: Date(), lease: 60))
            // A replica two minutes ahead: by its own clock the lease ran out long ago.
            #expect(try await queue.claimNext(at: Date() + 120, lease: 60) == nil)
            #expect(try await queue.expire(requestedBefore: Date() + 120, at: Date() + 120) == 0)
            #expect(try await queue.finish(held, outcome: .mismatch, event: AuditEvent(at: Date(), kind: .codeNotSent)) == 0)
        }
    }

    @Test("On PostgreSQL a worker finishing a request and an admin revoking its order at the same moment do not deadlock")
    func finishAndRevokeDoNotDeadlock() async throws {
        try await Self.withPostgresStores { stores, url in
            // Two twins; the later one is claimed (the earlier one waits, rescheduled), so finishing
            // it takes the later row, then collapses the earlier one, while a revoke takes the
            // order's rows in index order: the earlier one first.
            try await Self.enqueue(stores.queue, "ORD-1", client: 1)
            try await Self.enqueue(stores.queue, "ORD-1", client: 2)
            let first = try #require(try await stores.queue.claimNext(at: Date(), lease: 60))
            try await stores.queue.reschedule(first, to: Date() + 3600, countsAttempt: false)
            let second = try #require(try await stores.queue.claimNext(at: Date(), lease: 60))
            #expect(second.id > first.id)
            try await TestPostgres.withConnection(url) { side in
                // A side session holds the claimed row, so the finish and the revoke line up behind it.
                try await side.query("BEGIN", logger: TestPostgres.logger)
                try await side.query("SELECT 1 FROM code_requests WHERE id = \(second.id) FOR UPDATE", logger: TestPostgres.logger)
                let finishing = Task {
                    try await stores.queue.finish(second, outcome: .mismatch, event: AuditEvent(at: Date(), kind: .codeNotSent))
                }
                try await Self.waitForLockWaits(1, side)
                let revoking = Task { try await stores.codes.revokeOrder("ORD-1") { Date() } }
                try await Self.waitForLockWaits(2, side)
                try await side.query("COMMIT", logger: TestPostgres.logger)
                let finished = await finishing.result
                let revoked = await revoking.result
                #expect((try? finished.get()) != nil, "finish: \(finished)")
                #expect((try? revoked.get()) != nil, "revoke: \(revoked)")
            }
        }
    }

    /// Waits until `count` sessions of this test's database wait for a lock.
    static func waitForLockWaits(_ count: Int, _ side: PostgresConnection) async throws {
        try await waitUntil("\(count) sessions wait for a lock") {
            // The side session is inside a transaction, which would otherwise see one snapshot of the statistics.
            try await side.query("SELECT pg_stat_clear_snapshot()", logger: TestPostgres.logger)
            let rows = try await side.query(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
                logger: TestPostgres.logger
            )
            for try await waiting in rows.decode(Int64.self) { return waiting >= count }
            return false
        }
    }

    @Test("Overdue requests expire in bulk; fresh ones stay", arguments: TestBackend.allCases)
    func bulkExpiry(backend: TestBackend) async throws {
        try await Self.withStores(backend) { _, queue in
            let old = Date() - 1200
            for index in 0..<20 { try await Self.enqueue(queue, "ORD-OLD-\(index)", client: UInt8(index % 7), at: old) }
            try await Self.enqueue(queue, "ORD-FRESH", client: 9)
            #expect(try await queue.expire(requestedBefore: Date() - 600, at: Date()) == 20)
            #expect(try await queue.pendingCount() == 1)
            #expect(try await queue.claimNext(at: Date(), lease: 60)?.orderNumber == "ORD-FRESH")
        }
    }
}

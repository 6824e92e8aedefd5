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
            let settings = try PostgresSettings(url: try await TestPostgres.freshDatabase())
            let password = try TestPostgres.password()
            try await PostgresDatabase.migrate(settings: settings, password: password, logger: Logger(label: "test"))
            let database = try PostgresDatabase(settings: settings, password: password, logger: Logger(label: "test"))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await database.client.run() }
                defer { group.cancelAll() }
                let stores = PostgresStores(database: database)
                try await body(stores.tracking, stores.queue)
            }
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
        // Stored to the millisecond, on both backends.
        #expect(
            try await store.revocationTime(of: "ORD-2")
                == Date(timeIntervalSince1970: (clock.now().timeIntervalSince1970 * 1000).rounded(.down) / 1000)
        )
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
            // Once its lease has run out, another claim takes the request with a new token.
            let second = try #require(try await queue.claimNext(at: Date() + 2, lease: 60))
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

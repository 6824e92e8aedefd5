import Foundation
import GuestAccessCore
import Logging
import PostgresNIO
import Testing

@testable import GuestAccessPostgres

/// Turns across many clients and many rounds, checked against a model: on
/// PostgreSQL requests queued at the same moment share one statement
/// (`EnqueueBatcher`), and must take the turns they would have taken queued
/// one by one.
@Suite("Queue turns against a model")
struct QueueTurnTests {
    @Test(
        "Requests queued at once by random clients, with claims between the bursts, are served in the turns the model gives",
        arguments: [1, 2] as [UInt64],
        TestBackend.allCases
    )
    func turnsMatchTheModel(seed: UInt64, backend: TestBackend) async throws {
        try await StorePortTests.withStores(backend) { _, queue in
            let queued = try await Self.checkTurns(on: [queue], seed: seed)
            if let queue = queue as? PostgresCodeRequestQueue {
                // Bursts did share statements: fewer flushes than requests.
                #expect(queue.batcher.flushes < queued, "\(queue.batcher.flushes) flushes for \(queued) requests")
            }
        }
    }

    @Test(
        "On PostgreSQL, bursts spread over two replicas, with claims on either between them, are served in the turns the model gives",
        arguments: [3, 4] as [UInt64]
    )
    func turnsAcrossReplicasMatchTheModel(seed: UInt64) async throws {
        try await StorePortTests.withPostgresStores { _, url in
            try await Self.withReplicaQueues(url) { queues in
                _ = try await Self.checkTurns(on: queues, seed: seed)
                let flushes = queues.map(\.batcher.flushes)
                #expect(flushes.allSatisfy { $0 > 0 }, "flushes per replica: \(flushes)")
            }
        }
    }

    /// Thirty bursts of concurrent requests from five clients, request `i` of
    /// a burst sent to `queues[i % queues.count]`, each burst followed by a
    /// few claims (on the queues in turn), then a drain; every claim checked
    /// against `QueueTurnModel`. Returns how many requests were queued.
    static func checkTurns(on queues: [any CodeRequestQueue], seed: UInt64) async throws -> Int {
        var random = SeededGenerator(seed: seed)
        var model = QueueTurnModel()
        var clientOf: [String: UInt8] = [:]
        var queued = 0
        var claims = 0
        func claimer() -> any CodeRequestQueue {
            claims += 1
            return queues[claims % queues.count]
        }
        for round in 0..<30 {
            // A burst: requests from a few clients at the same moment, so they share statements.
            let burst = (0..<Int.random(in: 1...24, using: &random)).map { index in
                queued += 1
                return (queues[index % queues.count], "ORD-\(queued)", UInt8.random(in: 1...5, using: &random))
            }
            for (_, number, client) in burst { clientOf[number] = client }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (queue, number, client) in burst { group.addTask { try await StorePortTests.enqueue(queue, number, client: client) } }
                try await group.waitForAll()
            }
            model.enqueue(Dictionary(burst.map { ($0.2, 1) }, uniquingKeysWith: +))
            for _ in 0..<Int.random(in: 0...12, using: &random) {
                guard try await claimAndCheck(claimer(), &model, clientOf, context: "seed \(seed) round \(round)") else { break }
            }
        }
        while try await claimAndCheck(claimer(), &model, clientOf, context: "seed \(seed) draining") {}
        #expect(model.isEmpty)
        return queued
    }

    /// Two replicas' queues on the database at `url`: two pools, as two `serve` processes have.
    static func withReplicaQueues(_ url: String, _ body: ([PostgresCodeRequestQueue]) async throws -> Void) async throws {
        let settings = try PostgresSettings(url: url)
        let password = try TestPostgres.password()
        let replicas = try (0..<2).map { _ in
            try PostgresDatabase(settings: settings, password: password, logger: Logger(label: "test"))
        }
        try await withThrowingTaskGroup(of: Void.self) { pools throws in
            for replica in replicas { pools.addTask { await replica.client.run() } }
            defer { pools.cancelAll() }
            try await body(replicas.map { PostgresCodeRequestQueue(database: $0) })
        }
    }

    /// Claims the next request, checks it against the model and finishes it;
    /// false when the queue is empty (which the model must agree with).
    static func claimAndCheck(
        _ queue: any CodeRequestQueue,
        _ model: inout QueueTurnModel,
        _ clientOf: [String: UInt8],
        context: String
    ) async throws -> Bool {
        guard let request = try await queue.claimNext(at: Date(), lease: 60) else {
            #expect(model.isEmpty, "\(context): the queue is empty, the model is not")
            return false
        }
        let client = try #require(clientOf[request.orderNumber])
        if let mismatch = model.claim(by: client) { Issue.record("\(context): \(mismatch)") }
        _ = try await queue.finish(request, outcome: .noOrder, event: AuditEvent(at: Date(), kind: .codeNotSent))
        return true
    }

    @Test("On PostgreSQL two replicas queuing bursts from the same clients at once never deadlock on the clients' rows")
    func replicasQueuingTheSameClientsDoNotDeadlock() async throws {
        try await StorePortTests.withPostgresStores { _, url in
            // Every write of a client's row sleeps a little, so two statements writing rows of the same
            // clients overlap: in different orders, each would hold a row the other waits for.
            try await TestPostgres.withConnection(url) { connection in
                try await connection.query(
                    """
                    CREATE FUNCTION slow_client_rows() RETURNS trigger LANGUAGE plpgsql AS
                    'BEGIN PERFORM pg_sleep(0.003); RETURN NEW; END'
                    """,
                    logger: Logger(label: "test")
                )
                try await connection.query(
                    """
                    CREATE TRIGGER slow_client_rows BEFORE INSERT OR UPDATE ON queue_clients
                    FOR EACH ROW EXECUTE FUNCTION slow_client_rows()
                    """,
                    logger: Logger(label: "test")
                )
            }
            try await Self.withReplicaQueues(url) { queues in
                var random = SeededGenerator(seed: 3)
                var failures = 0
                for round in 0..<8 {
                    let burst = (0..<40).map { index in
                        (queues[index % 2], "ORD-\(round)-\(index)", UInt8.random(in: 1...8, using: &random))
                    }
                    failures += await withTaskGroup(of: Int.self) { group in
                        for (queue, number, client) in burst {
                            group.addTask { (try? await StorePortTests.enqueue(queue, number, client: client)) == nil ? 1 : 0 }
                        }
                        return await group.reduce(0, +)
                    }
                }
                #expect(failures == 0, "\(failures) of 320 requests failed")
                let pending = try await queues[0].pendingCount()
                #expect(pending == 320 - failures)
            }
        }
    }
}

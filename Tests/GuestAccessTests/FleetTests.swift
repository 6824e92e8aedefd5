import Foundation
import GuestAccessCore
import GuestAccessPolicy
import NIOHTTP1
import PostgresNIO
import Synchronization
import Testing

@testable import GuestAccessService

extension Fleets {
    /// Three `serve` processes on one PostgreSQL database are one service: each
    /// test starts the executable three times, as an operator would behind a load
    /// balancer, and spreads its requests over the three.
    @Suite("Three serve processes on one PostgreSQL database")
    struct FleetTests {
        static let order = Fixtures.orders[0]

        static func body(_ order: OrderDetail, _ code: String? = nil) -> String {
            VerifiedAccessTests.body(order.orderNumber, order.email, code)
        }

        static func json(_ text: String) -> [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:]
        }

        /// Sends `count` requests at once, request `i` to replica `i % fleet.count`; returns their statuses.
        static func spread(
            _ fleet: Fleet,
            _ count: Int,
            _ request: @escaping @Sendable (Int) -> (path: String, method: HTTPMethod, body: String?)
        ) async throws -> [Int] {
            try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<count {
                    group.addTask {
                        let (path, method, body) = request(index)
                        let (status, text) = try await fleet.request(index % fleet.count, path, method: method, body: body)
                        if let token = json(text)["accessToken"] as? String { TestLogs.secret(token) }
                        return status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }

        @Test("A tracking token, a code, a sign-out and a revoke made on one of three replicas hold on the others at once")
        func stateIsSharedByThree() async throws {
            let env = try await TestEnvironment.make(policy: TestEnvironment.fastPolicy, backend: .postgres)
            let fleet = try await Fleet(count: 3, env: env)
            defer { fleet.stop() }
            let (mintStatus, minted) = try await fleet.request(
                0,
                "/v1/admin/tracking-tokens",
                method: .POST,
                bearer: env.adminKey,
                body: #"{"orderNumber":"\#(Self.order.orderNumber)"}"#
            )
            #expect(mintStatus == 201)
            let trackingToken = try #require(Self.json(minted)["trackingToken"] as? String)
            TestLogs.secret(trackingToken)
            for replica in 0..<3 { #expect(try await fleet.request(replica, "/v1/tracking/\(trackingToken)").0 == 200) }

            #expect(try await fleet.request(0, "/v1/access-codes", method: .POST, body: Self.body(Self.order)).0 == 202)
            let code = try await env.waitForCode(Self.order.orderNumber)
            let (verifyStatus, verified) = try await fleet.request(
                2,
                "/v1/access-codes/verify",
                method: .POST,
                body: Self.body(Self.order, code)
            )
            #expect(verifyStatus == 200)
            let accessToken = try #require(Self.json(verified)["accessToken"] as? String)
            TestLogs.secret(accessToken)
            for replica in 0..<3 { #expect(try await fleet.request(replica, "/v1/guest/order", bearer: accessToken).0 == 200) }
            #expect(try await fleet.request(1, "/v1/access-codes/verify", method: .POST, body: Self.body(Self.order, code)).0 == 401)

            #expect(try await fleet.request(1, "/v1/guest/token", method: .DELETE, bearer: accessToken).0 == 204)
            for replica in 0..<3 { #expect(try await fleet.request(replica, "/v1/guest/order", bearer: accessToken).0 == 401) }

            #expect(
                try await fleet.request(2, "/v1/admin/orders/\(Self.order.orderNumber)/revoke", method: .POST, bearer: env.adminKey).0
                    == 204
            )
            for replica in 0..<3 { #expect(try await fleet.request(replica, "/v1/tracking/\(trackingToken)").0 == 404) }
        }

        @Test("100 wrong guesses at once over three replicas evaluate 5 and burn the code; 20 right guesses at once succeed exactly once")
        func attemptsAreCountedAcrossThree() async throws {
            // Daily and total budgets wide enough for 100 failures.
            let policy = TestEnvironment.fastPolicy.with {
                $0.failureBudget.dailyPerOrder = 1000
                $0.failureBudget.totalPerOrder = 1000
            }
            let env = try await TestEnvironment.make(policy: policy, backend: .postgres)
            let fleet = try await Fleet(count: 3, env: env)
            defer { fleet.stop() }
            let order = Self.order
            #expect(try await fleet.request(0, "/v1/access-codes", method: .POST, body: Self.body(order)).0 == 202)
            let code = try await env.waitForCode(order.orderNumber)
            let wrong = try await Self.spread(fleet, 100) { index in
                ("/v1/access-codes/verify", .POST, Self.body(order, String(format: "%06d", (Int(code)! + 1 + index) % 1_000_000)))
            }
            #expect(wrong.count == 100 && wrong.allSatisfy { $0 == 401 }, "\(Dictionary(grouping: wrong, by: { $0 }).mapValues(\.count))")
            let row = try #require(try await env.stored.codes()[order.orderNumber])
            #expect(row.attempts == policy.codes.maxAttempts)
            // Burned: the right code no longer works, on any replica.
            for replica in 0..<3 {
                #expect(try await fleet.request(replica, "/v1/access-codes/verify", method: .POST, body: Self.body(order, code)).0 == 401)
            }

            // Another order (100 failures reach the first one's consecutive budget): a code guessed right 20 times at once.
            let other = Fixtures.orders[1]
            #expect(try await fleet.request(1, "/v1/access-codes", method: .POST, body: Self.body(other)).0 == 202)
            let fresh = try await env.waitForCode(other.orderNumber)
            let right = try await Self.spread(fleet, 20) { _ in ("/v1/access-codes/verify", .POST, Self.body(other, fresh)) }
            #expect(right.filter { $0 == 200 }.count == 1, "\(right)")
            #expect(right.filter { $0 == 401 }.count == 19, "\(right)")
        }

        @Test("Code requests accepted by three replicas are each delivered exactly once by their workers")
        func everyRequestDeliveredOnceByThree() async throws {
            let policy = TestEnvironment.fastPolicy.with {
                $0.codes.perOrderLimit = 100
                $0.codes.perEmailLimit = 100
            }
            let env = try await TestEnvironment.make(policy: policy, backend: .postgres)
            let fleet = try await Fleet(count: 3, env: env)
            defer { fleet.stop() }
            let statuses = try await Self.spread(fleet, 36) { index in
                ("/v1/access-codes", .POST, Self.body(Fixtures.orders[index % Fixtures.orders.count]))
            }
            #expect(statuses.allSatisfy { $0 == 202 })
            try await waitUntil("the three replicas' workers have finished every request", timeout: .seconds(30)) {
                try await env.stored.pendingRequests() == 0
            }
            let outcomes = try await Self.outcomes(env)
            #expect(outcomes.values.reduce(0, +) == statuses.count, "\(outcomes)")
            #expect(Set(outcomes.keys).isSubset(of: ["sent", "collapsed"]), "\(outcomes)")
            #expect(outcomes["sent", default: 0] >= Fixtures.orders.count)
            #expect(env.outbox().count == outcomes["sent", default: 0], "a request was sent twice, or a sent one is missing")
        }

        /// Every code request's outcome, counted.
        static func outcomes(_ env: TestEnvironment) async throws -> [String: Int] {
            try await TestPostgres.withConnection(try #require(env.databaseURL)) { connection in
                var counts: [String: Int] = [:]
                let rows = try await connection.query(
                    "SELECT coalesce(outcome, 'pending'), count(*) FROM code_requests GROUP BY 1",
                    logger: TestPostgres.logger
                )
                for try await (outcome, count) in rows.decode((String, Int64).self) { counts[outcome] = Int(count) }
                return counts
            }
        }

        final class Load: Sendable {
            let stop = Atomic<Bool>(false)
            let killed = Atomic<Bool>(false)
            let answered = Atomic<Int>(0)
            let accepted = Mutex<[String]>([])
            let unexpected = Mutex<[String]>([])
        }

        @Test(
            "kill -9 of one of three replicas under load: the others keep answering, nothing accepted is lost, its claimed requests are delivered elsewhere"
        )
        func killedReplicaUnderLoad() async throws {
            TestLogs.start()
            let orders = (0..<12).map { Fixtures.order("ORD-FLEET-\(1000 + $0)", email: "shopper\($0)@example.com") }
            let storefront = FakeStorefront(orders: orders, credential: HTTPProviderTests.credential)
            let held = Array(orders[0..<3])
            // The storefront holds the three lookups replica 0 makes until it has been killed.
            storefront.held.withLock { $0 = Set(held.map(\.orderNumber)) }
            // Lease: provider timeout + mail timeout + 10 s = 41 s; replica 0 must die within the 30 s provider timeout.
            let policy = TestEnvironment.fastPolicy.with {
                $0.provider.timeoutSeconds = 30
                $0.mail.timeoutSeconds = 1
                $0.codes.perOrderLimit = 100
                $0.codes.perEmailLimit = 100
                // Replica 0's three workers are all busy with the held requests when it dies, so it dies holding those
                // and nothing else: a request it had sent but not yet recorded would (rightly) be sent again.
                $0.mail.parallelDeliveries = 3
            }
            try await storefront.run { port in
                let env = try await TestEnvironment.make(policy: policy, backend: .postgres)
                let fleet = try await Fleet(
                    count: 3,
                    started: 1,
                    env: env,
                    arguments: ["--provider-url", "http://127.0.0.1:\(port)"],
                    environment: ["GUEST_ACCESS_PROVIDER_CREDENTIAL": HTTPProviderTests.credential]
                )
                defer { fleet.stop() }
                // Replica 0 alone holds three requests: the others start once its workers have claimed them.
                for order in held {
                    #expect(try await fleet.request(0, "/v1/access-codes", method: .POST, body: Self.body(order)).0 == 202)
                }
                try await waitUntil("replica 0's workers are looking the three orders up") {
                    Set(storefront.seenOrders.all).isSuperset(of: held.map(\.orderNumber))
                }
                try await fleet.start(1)
                try await fleet.start(2)

                // Load over all three; replica 0 is killed once it is under way.
                let load = Load()
                let minted = try await fleet.request(
                    1,
                    "/v1/admin/tracking-tokens",
                    method: .POST,
                    bearer: env.adminKey,
                    body: #"{"orderNumber":"\#(orders[5].orderNumber)"}"#
                )
                let trackingToken = try #require(Self.json(minted.1)["trackingToken"] as? String)
                TestLogs.secret(trackingToken)
                async let worked: Void = withTaskGroup(of: Void.self) { group in
                    for worker in 0..<6 {
                        group.addTask {
                            var round = 0
                            while !load.stop.load(ordering: .relaxed) {
                                round += 1
                                let replica = load.killed.load(ordering: .relaxed) ? 1 + (worker + round) % 2 : (worker + round) % 3
                                let order = orders[3 + (worker * 7 + round) % 9]
                                let tracking = round % 2 == 0
                                let answer =
                                    tracking
                                    ? try? await fleet.request(replica, "/v1/tracking/\(trackingToken)")
                                    : try? await fleet.request(replica, "/v1/access-codes", method: .POST, body: Self.body(order))
                                load.answered.add(1, ordering: .relaxed)
                                let expected = tracking ? 200 : 202
                                if answer?.0 == 202 { load.accepted.withLock { $0.append(order.orderNumber) } }
                                // Replica 0 may fail requests in flight when it dies; the survivors may not.
                                if answer?.0 != expected && replica != 0 {
                                    load.unexpected.withLock {
                                        $0.append("replica \(replica): \(answer.map { String($0.0) } ?? "no answer")")
                                    }
                                }
                            }
                        }
                    }
                }
                try await waitUntil("the load is under way") { load.answered.load(ordering: .relaxed) >= 30 }
                // The precondition: replica 0 dies holding the three requests, none of them sent yet.
                #expect(env.outbox().filter { message in held.contains { $0.orderNumber == message["orderNumber"] } }.isEmpty)
                load.killed.store(true, ordering: .relaxed)
                fleet.kill(0)
                storefront.held.withLock { $0 = [] }
                let atKill = load.answered.load(ordering: .relaxed)
                try await waitUntil("the survivors have answered 60 more requests", timeout: .seconds(30)) {
                    load.answered.load(ordering: .relaxed) >= atKill + 60
                }
                load.stop.store(true, ordering: .relaxed)
                await worked
                #expect(load.unexpected.withLock { $0 }.isEmpty, "\(load.unexpected.withLock { $0 })")

                // Replica 0's leases (41 s) run out and the survivors take its three requests over.
                try await waitUntil("every accepted request has ended", timeout: .seconds(90)) {
                    try await env.stored.pendingRequests() == 0
                }
                let outcomes = try await Self.outcomes(env)
                #expect(Set(outcomes.keys).isSubset(of: ["sent", "collapsed"]), "\(outcomes)")
                #expect(outcomes.values.reduce(0, +) >= held.count + load.accepted.withLock { $0.count })
                for order in held {
                    #expect(try await env.stored.outcomes(of: order.orderNumber) == ["sent"])
                    #expect(env.outbox().filter { $0["orderNumber"] == order.orderNumber }.count == 1)
                }
                #expect(env.outbox().count == outcomes["sent", default: 0])
                for number in Set(load.accepted.withLock { $0 }) {
                    #expect(env.outbox().contains { $0["orderNumber"] == number }, "an accepted request for \(number) was never delivered")
                }
            }
        }
    }
}

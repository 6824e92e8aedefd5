import Foundation
import GRDB
import GuestAccessCore
import GuestAccessHTTP
import GuestAccessPolicy
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Testing

@testable import GuestAccessServer
@testable import GuestAccessService

/// Invariants that span orders: no traffic on one order may change another
/// order's counters or outcome, and the shared decoy rows never take an
/// order's values. Random operation sequences against the live service are
/// checked step by step against `OrderAccessModel`.
@Suite("Order isolation over real HTTP, on a real SQLite file and a real PostgreSQL server")
struct OrderIsolationTests {
    static let limits = OrderAccessModel.Limits(maxAttempts: 3, consecutive: 3, daily: 5, total: 6)
    static let policy = TestEnvironment.fastPolicy.with {
        $0.codes.maxAttempts = limits.maxAttempts
        $0.failureBudget.consecutivePerOrder = limits.consecutive
        $0.failureBudget.dailyPerOrder = limits.daily
        $0.failureBudget.totalPerOrder = limits.total
        $0.codes.perOrderLimit = 100
        $0.codes.perEmailLimit = 100
    }

    enum Operation: CaseIterable {
        case request, right, wrong, wrongEmail, revoke, signOut
    }

    static func body(_ number: String, _ email: String, _ code: String? = nil) -> String {
        VerifiedAccessTests.body(number, email, code)
    }

    @Test("A revoked order with spent budgets leaves a fresh order's right code working", arguments: TestBackend.allCases)
    func revokedOrderDoesNotPoisonTheDecoy(backend: TestBackend) async throws {
        TestLogs.start()
        let env = try await TestEnvironment.make(policy: Self.policy, backend: backend)
        let app = try await buildApplication(reader: env.reader())
        try await app.test(.live) { client in
            let (locked, fresh) = (Fixtures.orders[0], Fixtures.orders[1])
            try await Self.requestAndSettle(client, env, locked)
            let code = try await env.waitForCode(locked.orderNumber)
            for _ in 0..<Self.limits.total {
                _ = try await client.postJSON(
                    "/v1/access-codes/verify",
                    Self.body(locked.orderNumber, locked.email, VerifiedAccessTests.wrong(code))
                )
            }
            #expect(
                try await client.execute(uri: "/v1/admin/orders/\(locked.orderNumber)/revoke", method: .post, headers: bearer(env.adminKey))
                    .status == .noContent
            )
            // One verify on the revoked order, by anyone, with any email.
            _ = try await client.postJSON("/v1/access-codes/verify", Self.body(locked.orderNumber, "someone@example.org", "123456"))
            try await Self.requestAndSettle(client, env, fresh)
            let freshCode = try await env.waitForCode(fresh.orderNumber)
            let response = try await client.postJSON("/v1/access-codes/verify", Self.body(fresh.orderNumber, fresh.email, freshCode))
            #expect(response.status == .ok)
            try await Self.expectPristineDecoys(env)
        }
    }

    @Test("A missing decoy row makes verify answer 503, not crash, and the service goes on", arguments: TestBackend.allCases)
    func missingDecoyIsAnError(backend: TestBackend) async throws {
        TestLogs.start()
        let env = try await TestEnvironment.make(policy: Self.policy, backend: backend)
        let app = try await buildApplication(reader: env.reader())
        try await app.test(.live) { client in
            let number = Fixtures.orders[0].orderNumber
            if let url = env.databaseURL {
                try await TestPostgres.withConnection(url) { connection in
                    try await connection.query("DELETE FROM access_codes WHERE decoy", logger: TestPostgres.logger)
                    try await connection.query("DELETE FROM order_budgets WHERE decoy", logger: TestPostgres.logger)
                }
            } else {
                try DatabaseInspector(directory: env.directory).write { db in
                    try db.execute(sql: "DELETE FROM access_codes WHERE order_key = ''")
                    try db.execute(sql: "DELETE FROM order_budgets WHERE order_key = ''")
                }
            }
            let response = try await client.postJSON("/v1/access-codes/verify", Self.body("ORD-1999-0001", "a@example.org", "123456"))
            #expect(response.status == .serviceUnavailable)
            #expect(try await client.postJSON("/v1/access-codes", Self.body(number, "a@example.org")).status == .accepted)
            #expect(try await client.get("/healthz").status == .ok)
        }
    }

    @Test("On PostgreSQL a verify held open inside its transaction holds up no verify of another order without rows of its own")
    func aStalledVerifyHoldsUpNoOtherOrder() async throws {
        TestLogs.start()
        let env = try await TestEnvironment.make(policy: TestEnvironment.fastPolicy, backend: .postgres)
        let app = try await buildApplication(reader: env.reader())
        try await app.test(.live) { client in
            let url = try #require(env.databaseURL)
            try await TestPostgres.withConnection(url) { side in
                // Stalled verifies inside their transactions, as many as hold all but the last 32 decoys of
                // each table (keys `''` to `~decoy-2015`; on the one-decoy schema, `''` was the only one). A
                // verify's search starts at a random decoy, so most searches step over hundreds of taken rows,
                // and those starting among the free ones at the end wrap round past the taken ones.
                try await side.query("BEGIN", logger: TestPostgres.logger)
                try await side.query(
                    "SELECT 1 FROM access_codes WHERE decoy AND order_key < '~decoy-2016' FOR UPDATE",
                    logger: TestPostgres.logger
                )
                try await side.query(
                    "SELECT 1 FROM order_budgets WHERE decoy AND order_key < '~decoy-2016' FOR UPDATE",
                    logger: TestPostgres.logger
                )
                // Verifies of other orders without rows answer 401 while they stall (eight at once take 16
                // of the 32 free rows per table). One that waited on the stalled rows would answer 503 when
                // its 10 s bound ran out (the one-decoy schema did, all eight); the test waits up to 30 s,
                // so a slow machine only makes them late, not wrong.
                let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status?.self) { verifies in
                    for index in 0..<8 {
                        verifies.addTask {
                            try await client.postJSON(
                                "/v1/access-codes/verify",
                                Self.body(String(format: "ORD-1999-%04d", index), "a@example.org", "123456")
                            ).status
                        }
                    }
                    verifies.addTask {
                        try await Task.sleep(for: .seconds(30))
                        return nil
                    }
                    var statuses: [HTTPResponse.Status] = []
                    for try await status in verifies {
                        guard let status else { break }
                        statuses.append(status)
                        if statuses.count == 8 { break }
                    }
                    verifies.cancelAll()
                    return statuses
                }
                #expect(statuses == Array(repeating: .unauthorized, count: 8))
                try await side.query("COMMIT", logger: TestPostgres.logger)
            }
        }
    }

    @Test(
        "Random request, right, wrong, wrong-email, revoke and sign-out sequences on several orders match the model",
        arguments: [1, 2, 3],
        TestBackend.allCases
    )
    func randomSequencesMatchTheModel(seed: UInt64, backend: TestBackend) async throws {
        TestLogs.start()
        let env = try await TestEnvironment.make(policy: Self.policy, backend: backend)
        let app = try await buildApplication(reader: env.reader())
        try await app.test(.live) { client in
            var random = SeededGenerator(seed: seed)
            var models = Fixtures.orders.map { OrderAccessModel(orderNumber: $0.orderNumber, email: $0.email) }
            var seen = (locked: 0, successes: 0, revokedWithFailures: 0)
            for step in 0..<150 {
                // Skewed toward the first orders, so some reach their limits while others stay fresh.
                let index = [0, 0, 0, 0, 1, 1, 2, 3][Int.random(in: 0..<8, using: &random)]
                let operation = Self.pick(&random)
                let context = "\(backend) seed \(seed) step \(step): \(operation) on \(models[index].orderNumber)"
                if operation == .revoke && models[index].totalFailures > 0 { seen.revokedWithFailures += 1 }
                let tokensBefore = models[index].liveTokens.count
                try await Self.apply(operation, to: &models[index], client, env, &random, context)
                if models[index].liveTokens.count > tokensBefore { seen.successes += 1 }
                try await Self.expectStoredState(env, models, context)
                if step % 10 == 9 { try await Self.expectTokens(client, models, context) }
            }
            try await Self.expectTokens(client, models, "seed \(seed) end")
            seen.locked = models.filter { $0.isLocked(Self.limits) }.count
            // The sequence reached the states the invariant is about.
            #expect(seen.locked > 0 && seen.successes > 0 && seen.revokedWithFailures > 0, "seed \(seed): \(seen)")
        }
    }

    /// Requests are frequent enough to keep codes live, revokes rare enough to let budgets grow.
    static func pick(_ random: inout SeededGenerator) -> Operation {
        let roll = Int.random(in: 0..<100, using: &random)
        switch roll {
        case 0..<20: return .request
        case 20..<35: return .right
        case 35..<70: return .wrong
        case 70..<82: return .wrongEmail
        case 82..<90: return .revoke
        default: return .signOut
        }
    }

    static func apply(
        _ operation: Operation,
        to model: inout OrderAccessModel,
        _ client: some TestClientProtocol,
        _ env: TestEnvironment,
        _ random: inout SeededGenerator,
        _ context: String
    ) async throws {
        let number = model.orderNumber
        let anyCode = String(format: "%06d", Int.random(in: 0..<1_000_000, using: &random))
        switch operation {
        case .request:
            let before = env.outbox().filter { $0["orderNumber"] == number }.count
            try await requestAndSettle(client, env, Fixtures.orders.first { $0.orderNumber == number }!)
            let messages = env.outbox().filter { $0["orderNumber"] == number }
            let expectCode = !model.isLocked(limits)
            #expect(messages.count == before + (expectCode ? 1 : 0), "\(context)")
            model.requested(newCode: expectCode ? messages.last?["code"] : nil)
        case .right, .wrong:
            let sent = operation == .right ? (model.code ?? anyCode) : model.code.map(VerifiedAccessTests.wrong) ?? anyCode
            let succeeds = model.verify(code: sent, limits)
            let response = try await client.postJSON("/v1/access-codes/verify", body(number, model.email, sent))
            #expect(response.status == (succeeds ? .ok : .unauthorized), "\(context)")
            if succeeds, let token = response.json["accessToken"] as? String { model.liveTokens.append(token) }
        case .wrongEmail:
            let response = try await client.postJSON(
                "/v1/access-codes/verify",
                body(number, "someone.else@example.org", model.code ?? anyCode)
            )
            #expect(response.status == .unauthorized, "\(context)")
            model.attemptedWithAnotherEmail()
        case .revoke:
            let status = try await client.execute(uri: "/v1/admin/orders/\(number)/revoke", method: .post, headers: bearer(env.adminKey))
                .status
            #expect(status == .noContent, "\(context)")
            model.revoked()
            // Access tokens carry whole seconds: a token issued in this second would count as issued before the revoke.
            let fraction = Date().timeIntervalSince1970.truncatingRemainder(dividingBy: 1)
            try await Task.sleep(for: .milliseconds(Int((1 - fraction) * 1000) + 20))
        case .signOut:
            guard !model.liveTokens.isEmpty else { return }
            let token = model.liveTokens.removeFirst()
            let status = try await client.execute(uri: "/v1/guest/token", method: .delete, headers: bearer(token)).status
            #expect(status == .noContent, "\(context)")
            model.deadTokens.append(token)
        }
    }

    /// Posts a code request for `order` with its own email and waits until the worker has finished every pending request.
    static func requestAndSettle(_ client: some TestClientProtocol, _ env: TestEnvironment, _ order: OrderDetail) async throws {
        #expect(try await client.postJSON("/v1/access-codes", body(order.orderNumber, order.email)).status == .accepted)
        try await waitUntil("the worker has finished every code request", poll: .milliseconds(20)) {
            try await env.stored.pendingRequests() == 0
        }
    }

    /// Every order's code and budget rows as the model has them, and the decoy rows untouched.
    static func expectStoredState(_ env: TestEnvironment, _ models: [OrderAccessModel], _ context: String) async throws {
        let codeRows = try await env.stored.codes()
        let budgetRows = try await env.stored.budgets()
        for model in models {
            if model.code != nil, let row = codeRows[model.orderNumber] {
                #expect(row.attempts == model.attempts && row.used == model.used, "\(context): \(model.orderNumber) code")
            } else {
                #expect(model.code == nil && codeRows[model.orderNumber] == nil, "\(context): \(model.orderNumber) code row")
            }
            let budget = budgetRows[model.orderNumber]
            #expect((budget != nil) == model.hasBudget, "\(context): \(model.orderNumber) budget row")
            if let budget {
                #expect(
                    budget.consecutive == model.consecutiveFailures && budget.dayFailures == model.dayFailures
                        && budget.total == model.totalFailures,
                    "\(context): \(model.orderNumber) budget"
                )
            }
        }
        try await expectPristineDecoys(env)
    }

    /// Every decoy row (SQLite's one, PostgreSQL's 2,048) as the migrations made it.
    static func expectPristineDecoys(_ env: TestEnvironment) async throws {
        let decoyKeys = [""] + (env.databaseURL == nil ? [] : (1..<2048).map { String(format: "~decoy-%04d", $0) })
        let codes = try await env.stored.codes()
        let budgets = try await env.stored.budgets()
        for key in decoyKeys {
            let code = try #require(codes[key], "decoy code row \(key)")
            let budget = try #require(budgets[key], "decoy budget row \(key)")
            #expect(code == StoredState.CodeRow(attempts: 0, used: false, kid: ""), "decoy code row \(key)")
            #expect(budget == StoredState.BudgetRow(consecutive: 0, day: 0, dayFailures: 0, total: 0), "decoy budget row \(key)")
        }
    }

    /// Every token the model holds live fetches the order; every dead one is refused.
    static func expectTokens(_ client: some TestClientProtocol, _ models: [OrderAccessModel], _ context: String) async throws {
        for model in models {
            for token in model.liveTokens {
                #expect(try await client.get("/v1/guest/order", headers: bearer(token)).status == .ok, "\(context): live token")
            }
            for token in model.deadTokens {
                #expect(try await client.get("/v1/guest/order", headers: bearer(token)).status == .unauthorized, "\(context): dead token")
            }
        }
    }
}

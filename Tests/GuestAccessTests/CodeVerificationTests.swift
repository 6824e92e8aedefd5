import Foundation
import GuestAccessCore
import GuestAccessCrypto
import GuestAccessHTTP
import GuestAccessPolicy
import GuestAccessStorage
import Synchronization
import Testing

@testable import GuestAccessServer
@testable import GuestAccessService

@Suite("The verify rules, and equal store work on every failure path")
struct CodeVerificationTests {
    let now = Date(timeIntervalSince1970: 1_790_000_000)
    let policy = Policy.default

    private func code(attempts: Int = 0, used: Bool = false, expiresIn: TimeInterval = 600, decoy: Bool = false) -> StoredCode {
        StoredCode(
            orderKey: decoy ? "" : "ORD-1",
            codeDigest: [1],
            emailDigest: [2],
            kid: "k",
            expiresAt: now + expiresIn,
            attempts: attempts,
            used: used
        )
    }

    private func budget(consecutive: Int = 0, dayFailures: Int = 0) -> OrderBudget {
        OrderBudget(
            orderKey: "ORD-1",
            consecutiveFailures: consecutive,
            day: Int(now.timeIntervalSince1970 / 86400),
            dayFailures: dayFailures
        )
    }

    private func decide(_ code: StoredCode, _ budget: OrderBudget, email: Bool = true, match: Bool = true) -> VerifyDecision {
        CodeVerification.decide(code: code, budget: budget, emailMatches: email, codeMatches: match, now: now, policy: policy)
    }

    @Test("A live code with the right email and code succeeds once and resets the consecutive budget")
    func success() {
        let decision = decide(code(attempts: 2), budget(consecutive: 7, dayFailures: 3))
        #expect(decision.success && decision.used)
        #expect(decision.budget.consecutiveFailures == 0 && decision.budget.dayFailures == 3)
    }

    @Test("Expired, used, burned, decoy and locked codes never succeed, even with matching digests")
    func refusals() {
        #expect(!decide(code(expiresIn: 0), budget()).success)
        #expect(!decide(code(used: true), budget()).success)
        #expect(!decide(code(attempts: 5), budget()).success)
        #expect(!decide(code(decoy: true), budget()).success)
        #expect(!decide(code(), budget(consecutive: 100)).success)
        #expect(!decide(code(), budget(dayFailures: 20)).success)
    }

    @Test("A wrong code counts against the code and the budget; the fifth burns it")
    func counting() {
        var state = code()
        var orderBudget = budget()
        for _ in 0..<5 {
            let decision = decide(state, orderBudget, match: false)
            state = StoredCode(
                orderKey: state.orderKey,
                codeDigest: state.codeDigest,
                emailDigest: state.emailDigest,
                kid: state.kid,
                expiresAt: state.expiresAt,
                attempts: decision.attempts,
                used: decision.used
            )
            orderBudget = decision.budget
        }
        #expect(state.attempts == 5 && orderBudget.consecutiveFailures == 5 && orderBudget.dayFailures == 5)
        #expect(!decide(state, orderBudget).success)
    }

    @Test("An attempt with another email counts against nothing")
    func wrongEmailDoesNotCount() {
        let decision = decide(code(attempts: 1), budget(consecutive: 3), email: false, match: true)
        #expect(!decision.success && decision.attempts == 1 && decision.budget.consecutiveFailures == 3)
    }

    @Test("An attempt with the owner's email on a locked order changes nothing, exactly like one with another email")
    func lockedOrderCountsNothingMore() {
        let locked = budget(consecutive: policy.failureBudget.consecutivePerOrder)
        let own = decide(code(attempts: 2), locked, email: true, match: false)
        let other = decide(code(attempts: 2), locked, email: false, match: false)
        #expect(own == other)
        #expect(!own.counted && own.attempts == 2 && own.budget == locked && own.auditDetail == "uncounted")
        #expect(!decide(code(attempts: 2), locked, email: true, match: true).counted)
    }

    @Test("Verify writes back exactly the rows it read, and the decoy rows only with their own values")
    func writeBackTouchesOnlyRowsRead() {
        let poisoned = OrderBudget(orderKey: "ORD-1", consecutiveFailures: 99, day: 1, dayFailures: 20, totalFailures: 99)
        // A revoked order: its code row is gone (decoy read), its budget row stays.
        let revoked = VerifyWriteBack(code: code(decoy: true), budget: poisoned)
        let onRevoked = decide(code(decoy: true), revoked.budgetForDecision, email: true, match: true)
        #expect(revoked.codeRow(after: onRevoked) == ("", 0, false))
        #expect(revoked.budgetRow(after: onRevoked) == poisoned)
        // An order with a code and no budget: judged on a zero budget, its own row is created.
        let fresh = VerifyWriteBack(code: code(), budget: .decoy)
        #expect(fresh.budgetForDecision.totalFailures == 0 && fresh.budgetForDecision.orderKey == "ORD-1")
        let counted = decide(code(), fresh.budgetForDecision, match: false)
        #expect(fresh.budgetRow(after: counted).orderKey == "ORD-1" && fresh.budgetRow(after: counted).totalFailures == 1)
        // No such order: both decoys, written back pristine whatever the decision says.
        let none = VerifyWriteBack(code: code(decoy: true), budget: .decoy)
        let forged = VerifyDecision(success: false, attempts: 4, used: true, budget: poisoned)
        #expect(none.codeRow(after: forged) == ("", 0, false))
        #expect(none.budgetRow(after: forged) == .decoy)
    }

    @Test("Right email, wrong email, no such order and a locked order run the same SQL statements")
    func sameStatements() async throws {
        let recorded = Mutex<[String]>([])
        let directory = try TestEnvironment.temporaryDirectory()
        let database = try GuestAccessDatabase(
            path: directory + "/" + GuestAccessDatabase.fileName,
            synchronous: .full,
            statementObserver: { sql in recorded.withLock { $0.append(sql) } }
        )
        let store = SQLiteAccessCodeStore(database: database)
        let keyring = try Keyring(document: .generate())
        let key = keyring.active
        let queue = SQLiteCodeRequestQueue(database: database)
        for number in ["ORD-OPEN", "ORD-LOCKED"] {
            try await queue.enqueue(
                orderNumber: number,
                emailDigest: [9],
                emailKid: key.kid,
                clientDigest: [],
                language: .en,
                at: Date(),
                audit: AuditEvent(at: Date(), kind: .codeRequested)
            )
            _ = try await store.storeCode(
                StoredCode(
                    orderKey: number,
                    codeDigest: Digests.code("123456", orderNumber: number, key: key),
                    emailDigest: Digests.email("jane@example.com", key: key),
                    kid: key.kid,
                    expiresAt: Date() + 600,
                    attempts: 0,
                    used: false
                ),
                requestID: number == "ORD-OPEN" ? 1 : 2,
                leaseToken: 0,
                emailDigest: [9],
                at: Date()
            )
        }
        for _ in 0..<100 {  // lock ORD-LOCKED through its budget (fresh codes are not needed: a burned code still counts)
            _ = try await store.verifyAttempt(
                orderNumber: "ORD-LOCKED",
                email: "jane@example.com",
                code: "000000",
                keyring: keyring,
                now: Date(),
                policy: policy,
                audit: AuditEvent(at: Date(), kind: .verifyFailed)
            )
        }
        let cases = [
            ("right email, wrong code", "ORD-OPEN", "jane@example.com"),
            ("wrong email", "ORD-OPEN", "mallory@example.com"),
            ("no such order", "ORD-NONE", "jane@example.com"),
            ("locked order", "ORD-LOCKED", "jane@example.com"),
        ]
        var sequences = [String: [String]]()
        for (name, number, email) in cases {
            recorded.withLock { $0.removeAll() }
            let decision = try await store.verifyAttempt(
                orderNumber: number,
                email: email,
                code: "654321",
                keyring: keyring,
                now: Date(),
                policy: policy,
                audit: AuditEvent(at: Date(), kind: .verifyFailed)
            )
            #expect(!decision.success, "\(name)")
            sequences[name] = recorded.withLock { $0 }
        }
        let distinct = Set(sequences.values)
        #expect(distinct.count == 1, "\(sequences)")
        #expect(sequences.values.first?.count ?? 0 >= 4)
        #expect(sequences.values.first?.first?.uppercased().contains("BEGIN IMMEDIATE") == true)
    }
}

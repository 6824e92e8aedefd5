import Foundation
import GuestAccessCore
import GuestAccessCrypto
import GuestAccessPolicy
import GuestAccessProviders
import GuestAccessStorage
import Logging
import Synchronization
import Testing

@testable import GuestAccessHTTP
@testable import GuestAccessServer
@testable import GuestAccessService

@Suite("The code delivery worker")
struct DeliveryWorkerTests {
    /// A mailer that always fails, keeping the codes it was handed.
    final class DeadMailer: Mailer {
        let kind = "dead"
        let codes = Mutex<[String]>([])
        func deliver(_ message: AccessCodeMessage) async throws {
            codes.withLock { $0.append(message.code) }
            throw MailErrorStub()
        }
    }

    struct MailErrorStub: Error {}

    /// A mailer that delivers, keeping the codes it was handed.
    final class KeepingMailer: Mailer {
        let kind = "keeping"
        let codes = Mutex<[String]>([])
        func deliver(_ message: AccessCodeMessage) async throws { codes.withLock { $0.append(message.code) } }
    }

    /// A queue whose first `failures` finishes fail as an unreachable database's would, counting its claims.
    final class FlakyFinishQueue: CodeRequestQueue {
        let base: SQLiteCodeRequestQueue
        let failures: Atomic<Int>
        let claims = Atomic<Int>(0)

        init(base: SQLiteCodeRequestQueue, failures: Int) {
            self.base = base
            self.failures = Atomic(failures)
        }

        func enqueue(
            orderNumber: String,
            emailDigest: [UInt8],
            emailKid: String,
            clientDigest: [UInt8],
            language: ShopperLanguage,
            at date: Date,
            audit: AuditEvent
        ) async throws(StoreError) {
            try await base.enqueue(
                orderNumber: orderNumber,
                emailDigest: emailDigest,
                emailKid: emailKid,
                clientDigest: clientDigest,
                language: language,
                at: date,
                audit: audit
            )
        }
        func claimNext(at date: Date, lease: TimeInterval) async throws(StoreError) -> CodeRequest? {
            claims.add(1, ordering: .relaxed)
            return try await base.claimNext(at: date, lease: lease)
        }
        func releaseLeases() async throws(StoreError) { try await base.releaseLeases() }
        func reschedule(_ request: CodeRequest, to date: Date, countsAttempt: Bool) async throws(StoreError) {
            try await base.reschedule(request, to: date, countsAttempt: countsAttempt)
        }
        func finish(_ request: CodeRequest, outcome: CodeRequestOutcome, event: AuditEvent) async throws(StoreError) -> Int? {
            if failures.subtract(1, ordering: .relaxed).oldValue > 0 { throw .unavailable(reason: "test: database restarting") }
            return try await base.finish(request, outcome: outcome, event: event)
        }
        func expire(requestedBefore date: Date, at now: Date) async throws(StoreError) -> Int {
            try await base.expire(requestedBefore: date, at: now)
        }
        func pruneFinished(before date: Date) async throws(StoreError) -> Int { try await base.pruneFinished(before: date) }
        func pendingCount() async throws(StoreError) -> Int { try await base.pendingCount() }
    }

    @Test("A request queued under a key this replica's keyring never held is handed back uncounted, not ended as key-retired")
    func unknownKeyIsHandedBack() async throws {
        let clock = TestClock()
        let env = try TestEnvironment()
        let database = try GuestAccessDatabase(path: env.directory + "/" + GuestAccessDatabase.fileName, synchronous: .full)
        let queue = SQLiteCodeRequestQueue(database: database)
        let keyring = try KeyringHolder(file: KeyringFile(dataDirectory: env.directory), logger: Logger(label: "test"))
        let mailer = KeepingMailer()
        let worker = try Self.worker(queue: queue, database: database, mailer: mailer, keyring: keyring, clock: clock)
        // Another replica's newer key: a well-formed id this keyring has never held.
        let otherReplicasKey = KeyringDocument.generate().keys[0]
        try await queue.enqueue(
            orderNumber: Fixtures.orders[0].orderNumber,
            emailDigest: [UInt8](repeating: 7, count: 32),
            emailKid: otherReplicasKey.kid,
            clientDigest: [],
            language: .en,
            at: clock.now(),
            audit: AuditEvent(at: clock.now(), kind: .codeRequested)
        )
        for _ in 0..<(Policy.default.mail.maxDeliveryAttempts + 2) {
            let request = try #require(try await queue.claimNext(at: clock.now(), lease: worker.lease))
            #expect(request.deliveryAttempts == 0)
            try await worker.process(request)
            clock.advance(by: 2)
        }
        #expect(try await queue.outcomes().isEmpty)
        #expect(try await queue.pendingCount() == 1)
        #expect(mailer.codes.withLock { $0.isEmpty })

        // A key this keyring held and retired is not "never held": its requests end as key-retired at once.
        let file = KeyringFile(dataDirectory: env.directory)
        let retiredKid = try file.load().keys[0].kid
        try file.save(file.load().rotated().retiring(kid: retiredKid))
        keyring.reload(trigger: "test")
        try await queue.enqueue(
            orderNumber: Fixtures.orders[1].orderNumber,
            emailDigest: [UInt8](repeating: 8, count: 32),
            emailKid: retiredKid,
            clientDigest: [1],
            language: .en,
            at: clock.now(),
            audit: AuditEvent(at: clock.now(), kind: .codeRequested)
        )
        clock.advance(by: 60)
        for _ in 0..<4 {
            guard let request = try await queue.claimNext(at: clock.now(), lease: worker.lease) else { break }
            try await worker.process(request)
            if request.emailKid == retiredKid { break }
        }
        #expect(try await queue.outcomes() == [.keyRetired])
    }

    @Test("A code that went out while the database could not record it is recorded once the database answers, and never sent twice")
    func sentCodeIsRecordedAfterAnOutage() async throws {
        let clock = TestClock()
        let env = try TestEnvironment()
        let database = try GuestAccessDatabase(path: env.directory + "/" + GuestAccessDatabase.fileName, synchronous: .full)
        let base = SQLiteCodeRequestQueue(database: database)
        let queue = FlakyFinishQueue(base: base, failures: 3)
        let keyring = try KeyringHolder(file: KeyringFile(dataDirectory: env.directory), logger: Logger(label: "test"))
        let mailer = KeepingMailer()
        let worker = try Self.worker(queue: queue, database: database, mailer: mailer, keyring: keyring, clock: clock)
        let order = Fixtures.orders[0]
        let key = keyring.keyring.active
        try await queue.enqueue(
            orderNumber: order.orderNumber,
            emailDigest: Digests.email(order.email, key: key),
            emailKid: key.kid,
            clientDigest: [],
            language: .en,
            at: clock.now(),
            audit: AuditEvent(at: clock.now(), kind: .codeRequested)
        )
        let request = try #require(try await queue.claimNext(at: clock.now(), lease: worker.lease))
        try await worker.process(request)
        // Once the lease has lapsed, another worker finds nothing to take over.
        #expect(try await queue.claimNext(at: clock.now() + worker.lease + 1, lease: worker.lease) == nil)
        #expect(mailer.codes.withLock { $0.count } == 1)
        #expect(try await base.outcomes() == [.sent])
    }

    @Test(
        "Idle workers claim once each per poll interval, not ten times a second, and a code request wakes one at once",
        .timeLimit(.minutes(1))
    )
    func idleWorkersWaitForWork() async throws {
        let clock = TestClock()
        let env = try TestEnvironment()
        let database = try GuestAccessDatabase(path: env.directory + "/" + GuestAccessDatabase.fileName, synchronous: .full)
        let queue = FlakyFinishQueue(base: SQLiteCodeRequestQueue(database: database), failures: 0)
        let keyring = try KeyringHolder(file: KeyringFile(dataDirectory: env.directory), logger: Logger(label: "test"))
        let mailer = KeepingMailer()
        let work = WorkSignal()
        // A poll interval longer than the test: only a signal can start a delivery in time.
        let worker = try Self.worker(
            queue: queue,
            database: database,
            mailer: mailer,
            keyring: keyring,
            clock: clock,
            work: work,
            pollInterval: .seconds(120)
        )
        let audit = AuditLog(
            trail: SQLiteAuditTrail(database: database),
            keyring: keyring,
            clock: clock,
            logger: Logger(label: "test"),
            metrics: ServiceMetrics()
        )
        let requestCode = RequestCode(queue: queue, work: work, keyring: keyring, clock: clock, metrics: ServiceMetrics(), audit: audit)
        let workers = Policy.default.mail.parallelDeliveries
        let running = Task { await worker.run() }
        defer { running.cancel() }
        try await Task.sleep(for: .seconds(2))
        // Each worker's first claim found nothing; then each waits (a 100 ms poll made 20 claims a worker here).
        #expect(queue.claims.load(ordering: .relaxed) <= workers, "\(queue.claims.load(ordering: .relaxed)) claims while idle")

        for (index, order) in Fixtures.orders.prefix(3).enumerated() {
            try await requestCode(
                CodeRequestBody(orderNumber: order.orderNumber, email: order.email, code: nil),
                clientKey: "192.0.2.\(index)",
                logger: Logger(label: "test")
            )
            try await waitUntil("code \(index + 1) delivered without a poll", timeout: .seconds(20)) {
                mailer.codes.withLock { $0.count } == index + 1
            }
        }
        try await waitUntil("every request ended", timeout: .seconds(20)) { try await queue.pendingCount() == 0 }
        running.cancel()
        await running.value
        #expect(try await queue.base.outcomes() == [.sent, .sent, .sent])
    }

    /// A worker on the SQLite database `database`, with the embedded orders and a test logger.
    static func worker<Queue: CodeRequestQueue>(
        queue: Queue,
        database: GuestAccessDatabase,
        mailer: any Mailer,
        keyring: KeyringHolder,
        clock: TestClock,
        policy: Policy = Policy.default,
        work: WorkSignal = WorkSignal(),
        pollInterval: Duration = .seconds(1)
    ) throws -> CodeDeliveryWorker<SQLiteAccessCodeStore, Queue, EmbeddedOrderProvider> {
        CodeDeliveryWorker(
            codes: SQLiteAccessCodeStore(database: database),
            queue: queue,
            provider: try EmbeddedOrderProvider(orders: Fixtures.orders),
            mailer: mailer,
            keyring: keyring,
            policy: policy,
            clock: clock,
            work: work,
            pollInterval: pollInterval,
            logger: Logger(label: "test"),
            metrics: ServiceMetrics(),
            audit: AuditLog(
                trail: SQLiteAuditTrail(database: database),
                keyring: keyring,
                clock: clock,
                logger: Logger(label: "test"),
                metrics: ServiceMetrics()
            )
        )
    }

    @Test(
        "A delivery that keeps failing is retried with backoff, at most maxDeliveryAttempts times, and never past a code's life",
        arguments: [(20, CodeRequestOutcome.expired), (4, .gaveUp)]
    )
    func givesUp(maxAttempts: Int, outcome: CodeRequestOutcome) async throws {
        var policy = Policy.default
        policy.mail.maxDeliveryAttempts = maxAttempts
        let clock = TestClock()
        let env = try TestEnvironment()
        let database = try GuestAccessDatabase(path: env.directory + "/" + GuestAccessDatabase.fileName, synchronous: .full)
        let queue = SQLiteCodeRequestQueue(database: database)
        let codes = SQLiteAccessCodeStore(database: database)
        let keyring = try KeyringHolder(file: KeyringFile(dataDirectory: env.directory), logger: Logger(label: "test"))
        let mailer = DeadMailer()
        let worker = try Self.worker(queue: queue, database: database, mailer: mailer, keyring: keyring, clock: clock, policy: policy)
        let order = Fixtures.orders[0]
        let key = keyring.keyring.active
        try await queue.enqueue(
            orderNumber: order.orderNumber,
            emailDigest: Digests.email(order.email, key: key),
            emailKid: key.kid,
            clientDigest: [],
            language: .en,
            at: clock.now(),
            audit: AuditEvent(at: clock.now(), kind: .codeRequested)
        )

        // Each round lets 30 s pass and takes the request whenever its retry falls due.
        var rounds = 0
        while rounds < 100, let request = try await queue.claimNext(at: clock.now() + 3600, lease: 1) {
            rounds += 1
            try await worker.process(request)
            clock.advance(by: 60)
        }
        let handed = mailer.codes.withLock { $0 }
        #expect(handed.count >= 3 && handed.count <= maxAttempts)
        if outcome == .gaveUp { #expect(handed.count == maxAttempts) }
        #expect(try await queue.pendingCount() == 0)
        #expect(try await queue.outcomes() == [outcome])
        // No undelivered code stays usable, not even the last one, still within its 10 minutes.
        let last = try #require(handed.last)
        let decision = try await codes.verifyAttempt(
            orderNumber: order.orderNumber,
            email: order.email,
            code: last,
            keyring: keyring.keyring,
            now: clock.now(),
            policy: Policy.default,
            audit: AuditEvent(at: clock.now(), kind: .verifyFailed)
        )
        #expect(!decision.success)
    }
}

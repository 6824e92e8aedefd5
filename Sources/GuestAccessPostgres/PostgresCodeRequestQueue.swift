public import Foundation
public import GuestAccessCore
import Logging
import PostgresNIO

/// `CodeRequestQueue` on PostgreSQL, shared by every replica's workers. A
/// claim takes the due request with the lowest turn that no other worker has
/// locked (`FOR UPDATE SKIP LOCKED`) and holds it by a lease with a token, so
/// each accepted request is served by one worker at a time, and a replica
/// killed mid-delivery has its claims taken over once the lease runs out.
/// Turns (start-time fair queuing) are stamped at enqueue from one shared
/// clock row, so fairness holds across the fleet. Claims themselves take turns
/// (a transaction lock), so twins are never claimed at once.
public struct PostgresCodeRequestQueue: CodeRequestQueue {
    let database: PostgresDatabase
    /// Shared by the copies of this queue: requests queued at once share a statement.
    let batcher: EnqueueBatcher<EnqueueStatement.Request>

    public init(database: PostgresDatabase) {
        self.database = database
        let logger = database.logger
        batcher = EnqueueBatcher(
            maxBatch: Self.maxBatch,
            maxWaiting: Self.maxWaiting,
            maxWait: database.operationLimit
        ) { requests, remaining throws(StoreError) in
            try await database.connection(within: remaining) { connection in
                _ = try await connection.execute(EnqueueStatement(requests: requests), logger: logger)
            }
        }
    }

    /// Most requests in one statement: enough that a flood at the pool's
    /// size fits in one or two, few enough that one statement stays short.
    static let maxBatch = 64

    /// Most requests waiting for a statement; more get 503 at once. Sixteen
    /// statements' worth: far beyond a healthy database's queue (one
    /// statement's worth at most at the pool's size), a bound on what a
    /// stalled one lets pile up.
    static let maxWaiting = 1024

    var logger: Logger { database.logger }

    public func enqueue(
        orderNumber: String,
        emailDigest: [UInt8],
        emailKid: String,
        clientDigest: [UInt8],
        language: ShopperLanguage,
        at date: Date,
        audit: AuditEvent
    ) async throws(StoreError) {
        // With the requests queued at the same time, in one prepared statement (`EnqueueStatement`).
        try await batcher.submit(
            EnqueueStatement.Request(
                orderNumber: orderNumber,
                emailDigest: emailDigest,
                emailKid: emailKid,
                clientDigest: clientDigest,
                language: language,
                requestedAt: date,
                audit: audit
            )
        )
    }

    public func claimNext(at date: Date, lease: TimeInterval) async throws(StoreError) -> CodeRequest? {
        let now = date.millisecondsSince1970
        let leaseMilliseconds = Int64(lease * 1000)
        let token = Int64.random(in: 1...Int64.max)
        // A read first: idle workers poll, and a claim takes the fleet-wide claim lock.
        let due = try await database.connection { connection in
            // One round trip: the lease condition is a filter here anyway (the index is on the due time).
            let rows = try await connection.query(
                """
                SELECT EXISTS (SELECT 1 FROM code_requests
                WHERE outcome IS NULL AND next_attempt_at_ms <= \(now)
                    AND lease_until_ms <= LEAST(\(now), \(unescaped: PostgresClock.nowMilliseconds)))
                """,
                logger: logger
            )
            for try await value in rows.decode(Bool.self) { return value }
            return false
        }
        guard due else { return nil }
        return try await database.transaction { connection -> CodeRequest? in
            // Claims take turns across the fleet: the twin check below must see every lease
            // committed before it, or two workers would each take one of two twins at once.
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.claimLock))", logger: logger)
            // Leases are judged by the database's clock, bounded in the safe direction: one
            // lapses by the earlier of it and this replica's clock (a replica whose clock runs
            // ahead takes over no live lease) and is granted from the database's. Read once and
            // bound as values, so the twin check below stays an index probe.
            let databaseNow = try await PostgresClock.now(on: connection, logger: logger)
            let lapsedBy = min(now, databaseNow)
            let rows = try await connection.query(
                """
                UPDATE code_requests SET lease_until_ms = \(databaseNow + leaseMilliseconds), lease_token = \(token)
                WHERE id = (
                    SELECT id FROM code_requests AS candidate
                    WHERE outcome IS NULL AND next_attempt_at_ms <= \(now) AND lease_until_ms <= \(lapsedBy)
                        AND NOT EXISTS (
                            SELECT 1 FROM code_requests AS twin
                            WHERE twin.outcome IS NULL AND twin.order_number = candidate.order_number
                                AND twin.email_digest = candidate.email_digest AND twin.lease_until_ms > \(lapsedBy))
                    ORDER BY turn, id LIMIT 1
                    FOR UPDATE SKIP LOCKED)
                RETURNING id, order_number, email_digest, email_kid, requested_at_ms, delivery_attempts, turn, language
                """,
                logger: logger
            )
            var claimed: (CodeRequest, Int64)?
            for try await (id, orderNumber, emailDigest, emailKid, requestedAt, attempts, turn, language) in rows.decode(
                (Int64, String, Data, String, Int64, Int32, Int64, String?).self
            ) {
                claimed = (
                    CodeRequest(
                        id: id,
                        orderNumber: orderNumber,
                        emailDigest: [UInt8](emailDigest),
                        emailKid: emailKid,
                        requestedAt: Date(millisecondsSince1970: requestedAt),
                        deliveryAttempts: Int(attempts),
                        leaseToken: token,
                        language: ShopperLanguage(rawValue: language ?? "") ?? .en
                    ), turn
                )
            }
            guard let (request, turn) = claimed else { return nil }
            try await connection.query("UPDATE queue_clock SET turn = GREATEST(turn, \(turn))", logger: logger)
            return request
        }
    }

    /// Nothing on PostgreSQL: other replicas' workers may hold leases, and a
    /// lease of this replica's previous life runs out by itself.
    public func releaseLeases() async throws(StoreError) {}

    public func reschedule(_ request: CodeRequest, to date: Date, countsAttempt: Bool) async throws(StoreError) {
        try await database.connection { connection in
            try await connection.query(
                """
                UPDATE code_requests SET next_attempt_at_ms = \(date.millisecondsSince1970),
                    delivery_attempts = delivery_attempts + \(countsAttempt ? 1 : 0),
                    lease_until_ms = 0
                WHERE id = \(request.id) AND lease_token = \(request.leaseToken) AND outcome IS NULL
                """,
                logger: logger
            )
        }
    }

    @discardableResult
    public func finish(_ request: CodeRequest, outcome: CodeRequestOutcome, event: AuditEvent) async throws(StoreError) -> Int? {
        try await database.transaction { connection -> Int? in
            // The order's lock first, as a revoke and a code's storing take it: without it, a
            // revoke taking the order's pending rows in one order and this finish taking its own
            // row, then its twins, could each hold a row the other waits for (a deadlock, one 503).
            try await OrderLock.take(request.orderNumber, on: connection, logger: logger)
            var finished: (String, Data, Int64?)?
            let rows = try await connection.query(
                """
                UPDATE code_requests SET outcome = \(outcome.rawValue), lease_until_ms = 0
                WHERE id = \(request.id) AND lease_token = \(request.leaseToken) AND outcome IS NULL
                RETURNING order_number, email_digest, audit_id
                """,
                logger: logger
            )
            for try await row in rows.decode((String, Data, Int64?).self) { finished = row }
            guard let (orderNumber, emailDigest, auditID) = finished else { return nil }
            var twins: [Int64?] = []
            if outcome.collapsesTwins {
                // Twins whose lease lapsed by the earlier of the event's clock and the database's.
                let lapsedBy = min(event.at.millisecondsSince1970, try await PostgresClock.now(on: connection, logger: logger))
                let collapsed = try await connection.query(
                    """
                    UPDATE code_requests SET outcome = \(CodeRequestOutcome.collapsed.rawValue)
                    WHERE outcome IS NULL AND order_number = \(orderNumber) AND email_digest = \(emailDigest)
                        AND lease_until_ms <= \(lapsedBy)
                    RETURNING audit_id
                    """,
                    logger: logger
                )
                for try await id in collapsed.decode(Int64?.self) { twins.append(id) }
            }
            var folded = event
            if outcome == .noOrder {
                // Requests for orders that do not exist name no order: one row an hour, however many.
                folded.orderDigest = nil
                folded.kid = nil
            }
            if event.kind == .codeDelivered {
                try await PostgresAuditTrail.insert(event, on: connection, logger: logger)
            } else {
                try await PostgresAuditTrail.delete(ids: [auditID].compactMap { $0 }, on: connection, logger: logger)
                try await PostgresAuditTrail.fold(folded, count: 1, on: connection, logger: logger)
            }
            if !twins.isEmpty {
                try await PostgresAuditTrail.delete(ids: twins.compactMap { $0 }, on: connection, logger: logger)
                var collapsed = folded
                collapsed.kind = .codeNotSent
                collapsed.detail = CodeRequestOutcome.collapsed.rawValue
                try await PostgresAuditTrail.fold(collapsed, count: twins.count, on: connection, logger: logger)
            }
            return twins.count
        }
    }

    public func expire(requestedBefore date: Date, at now: Date) async throws(StoreError) -> Int {
        var total = 0
        while true {
            let expired = try await database.transaction { connection -> Int in
                // In chunks, so one transaction never holds many rows for long; rows a worker
                // holds (leased or locked, by the earlier of the two clocks) are left to it.
                let lapsedBy = min(now.millisecondsSince1970, try await PostgresClock.now(on: connection, logger: logger))
                let rows = try await connection.query(
                    """
                    WITH chosen AS (
                        SELECT id, audit_id FROM code_requests
                        WHERE outcome IS NULL AND requested_at_ms < \(date.millisecondsSince1970)
                            AND lease_until_ms <= \(lapsedBy)
                        LIMIT 2000 FOR UPDATE SKIP LOCKED),
                    gone AS (DELETE FROM audit_events WHERE id IN (SELECT audit_id FROM chosen)),
                    done AS (
                        UPDATE code_requests SET outcome = \(CodeRequestOutcome.expired.rawValue)
                        WHERE id IN (SELECT id FROM chosen) RETURNING 1)
                    SELECT count(*) FROM done
                    """,
                    logger: logger
                )
                var count = 0
                for try await value in rows.decode(Int64.self) { count = Int(value) }
                if count > 0 {
                    try await PostgresAuditTrail.fold(
                        AuditEvent(at: now, kind: .codeNotSent, detail: CodeRequestOutcome.expired.rawValue),
                        count: count,
                        on: connection,
                        logger: logger
                    )
                }
                return count
            }
            total += expired
            if expired < 2000 { return total }
        }
    }

    public func pruneFinished(before date: Date) async throws(StoreError) -> Int {
        try await database.transaction { connection in
            var pruned = 0
            let rows = try await connection.query(
                """
                WITH gone AS (
                    DELETE FROM code_requests WHERE outcome IS NOT NULL AND requested_at_ms < \(date.millisecondsSince1970) RETURNING 1)
                SELECT count(*) FROM gone
                """,
                logger: logger
            )
            for try await value in rows.decode(Int64.self) { pruned = Int(value) }
            // A client whose last turn is behind the one being served carries no state worth keeping.
            // (An enqueue that read the clock before the clock moved past that turn, and finds the row
            // gone, starts the client afresh from the clock it read: the client moves ahead by as far as
            // the clock moved during that one statement, as it would with its row kept.)
            // Rows an enqueue holds are skipped, not waited for: an enqueue locks several clients' rows
            // (in digest order), and a delete waiting on one while holding another could deadlock with it.
            try await connection.query(
                """
                DELETE FROM queue_clients WHERE client_digest IN (
                    SELECT client_digest FROM queue_clients WHERE last_turn <= (SELECT turn FROM queue_clock)
                    FOR UPDATE SKIP LOCKED)
                """,
                logger: logger
            )
            return pruned
        }
    }

    public func pendingCount() async throws(StoreError) -> Int {
        try await database.connection { connection in
            let rows = try await connection.query("SELECT count(*) FROM code_requests WHERE outcome IS NULL", logger: logger)
            for try await value in rows.decode(Int64.self) { return Int(value) }
            return 0
        }
    }

    /// Outcomes of finished requests, oldest first (for tests and operators).
    public func outcomes() async throws(StoreError) -> [CodeRequestOutcome?] {
        try await database.connection { connection in
            var outcomes: [CodeRequestOutcome?] = []
            let rows = try await connection.query(
                "SELECT outcome FROM code_requests WHERE outcome IS NOT NULL ORDER BY id",
                logger: logger
            )
            for try await value in rows.decode(String.self) { outcomes.append(CodeRequestOutcome(rawValue: value)) }
            return outcomes
        }
    }

    /// The transaction lock claims take turns under ("guest-access claims").
    static let claimLock: Int64 = 0x6761_636C_6169_6D73
}

import Foundation
public import GuestAccessCore
import GuestAccessCrypto
public import Logging
import Synchronization

/// Works through the durable code-request queue, off the request path:
/// finds the order, compares the email digest, applies the issuance limits
/// and the failure budget, creates the code (stored as a digest only) and
/// sends it to the email on record.
///
/// `policy.mail.parallelDeliveries` workers claim requests in client turns
/// (see `CodeRequestQueue`), so a slow provider or mail server holds up one
/// worker, not the queue, and a flooding client waits behind itself.
///
/// A failed delivery invalidates its code and is retried with backoff while a
/// code could still be valid, each retry with a fresh code (so no code ever
/// rests in the database in clear), at most `policy.mail.maxDeliveryAttempts`
/// provider lookups in all; after that the request is given up.
public struct CodeDeliveryWorker<Codes: AccessCodeStore, Queue: CodeRequestQueue, Provider: OrderDetailProvider>: Sendable {
    let codes: Codes
    let queue: Queue
    let provider: Provider
    let mailer: (any Mailer)?
    let keyring: KeyringHolder
    let policy: Policy
    let clock: any WallClock
    let work: WorkSignal
    let pollInterval: Duration
    let logger: Logger
    let metrics: ServiceMetrics
    let audit: AuditLog

    public init(
        codes: Codes,
        queue: Queue,
        provider: Provider,
        mailer: (any Mailer)?,
        keyring: KeyringHolder,
        policy: Policy,
        clock: any WallClock,
        work: WorkSignal = WorkSignal(),
        pollInterval: Duration = .seconds(1),
        logger: Logger,
        metrics: ServiceMetrics,
        audit: AuditLog
    ) {
        self.codes = codes
        self.queue = queue
        self.provider = provider
        self.mailer = mailer
        self.keyring = keyring
        self.policy = policy
        self.clock = clock
        self.work = work
        self.pollInterval = pollInterval
        self.logger = logger
        self.metrics = metrics
        self.audit = audit
    }

    /// How long a claimed request stays out of other workers' reach: longer
    /// than one provider lookup and one delivery can take.
    var lease: TimeInterval { TimeInterval(policy.provider.timeoutSeconds + policy.mail.timeoutSeconds + 10) }

    /// Works until its task is cancelled (the assembly cancels it at graceful shutdown).
    public func run() async {
        do {
            try await queue.releaseLeases()
        } catch {
            logger.error("code delivery worker: leases could not be released", metadata: ["reason": "\(error)"])
        }
        let (sends, queueSend) = AsyncStream<@Sendable () async -> Void>.makeStream()
        let sending = Atomic<Int>(0)
        let maxSending = policy.mail.parallelDeliveries * 4
        // A delivery runs beside the workers, not in a worker's slot: a request that
        // matches frees its worker as soon as its code is stored, as a mismatch does at
        // once, so the time a match takes to send cannot delay anyone else's lookup.
        // Beyond `maxSending` sends at once, a worker sends itself (a bound on connections).
        let spawn: @Sendable (@escaping @Sendable () async -> Void) async -> Void = { send in
            if sending.add(1, ordering: .relaxed).newValue <= maxSending {
                queueSend.yield {
                    await send()
                    sending.subtract(1, ordering: .relaxed)
                }
            } else {
                sending.subtract(1, ordering: .relaxed)
                await send()
            }
        }
        await withDiscardingTaskGroup { group in
            group.addTask {
                await withDiscardingTaskGroup { senders in
                    for await send in sends { senders.addTask { await send() } }
                }
            }
            for _ in 0..<policy.mail.parallelDeliveries {
                group.addTask { await workLoop(spawn: spawn) }
            }
            group.addTask { await expiryLoop() }
        }
    }

    /// Ends overdue requests in bulk every few seconds, so a flood that
    /// outlived the codes' lifetime does not cost one claim per request, and
    /// deletes requests finished over an hour ago (their outcome is in the
    /// audit trail, issuance is counted in its own table): under a sustained
    /// flood the queue holds at most an hour and a code's life of requests.
    private func expiryLoop() async {
        while !Task.isCancelled {
            do {
                let now = clock.now()
                let expired = try await queue.expire(requestedBefore: now - TimeInterval(policy.codes.ttlSeconds), at: now)
                if expired > 0 {
                    metrics.count(.codeRequestsFinished, [(.outcome, CodeRequestOutcome.expired.rawValue)], by: expired)
                    logger.info("overdue code requests expired", metadata: ["count": "\(expired)"])
                }
                _ = try await queue.pruneFinished(before: now - 3600)
            } catch {
                logger.error("code delivery worker: storage error", metadata: ["reason": "\(error)"])
            }
            try? await Task.sleep(for: .seconds(5))
        }
    }

    /// Claims until the queue has nothing due, then waits for `work` (an
    /// enqueue on this node signals it) or `pollInterval`, whichever comes
    /// first. The poll finds what no signal announces: retries come due,
    /// requests queued on another replica whose workers are gone, leases run out.
    private func workLoop(spawn: @escaping @Sendable (@escaping @Sendable () async -> Void) async -> Void) async {
        while !Task.isCancelled {
            do {
                let claimedAt = clock.now()
                if let request = try await queue.claimNext(at: claimedAt, lease: lease) {
                    // More may be due (a backlog a poll found, a burst): one more idle worker looks.
                    work.signal()
                    try await process(request, claimedAt: claimedAt, spawn: spawn)
                    continue
                }
            } catch {
                logger.error("code delivery worker: storage error", metadata: ["reason": "\(error)"])
            }
            // Spread over half to one and a half intervals, so the idle workers' polls do not come in step.
            await work.wait(upTo: pollInterval * Double.random(in: 0.5...1.5))
        }
    }

    /// Handles one request to its next resting point (finished or rescheduled).
    /// With `spawn`, the delivery of a stored code runs in the task it is given
    /// (the worker's senders) and this returns once the code is stored; without,
    /// it delivers before returning.
    func process(
        _ request: CodeRequest,
        claimedAt: Date? = nil,
        spawn: (@Sendable (@escaping @Sendable () async -> Void) async -> Void)? = nil
    ) async throws(StoreError) {
        let now = clock.now()
        let ttl = TimeInterval(policy.codes.ttlSeconds)
        guard now < request.requestedAt + ttl else { return try await finish(request, .expired) }
        let keys = keyring.keyring
        guard let requestKey = keys.key(kid: request.emailKid) else {
            guard keys.neverHeld(kid: request.emailKid) else { return try await finish(request, .keyRetired) }
            // Queued by a replica with a newer keyring: this one cannot read it yet. Handed back without counting
            // an attempt, so a replica that can (or this one, once reloaded) serves it; if none ever can, it
            // expires with the code's lifetime.
            keyring.noteUnknown(kid: request.emailKid, source: .queuedRequest, logger: logger)
            // The wait grows with the request's age (2 s, up to 30 s), so requests no replica can read do not keep
            // the fleet's claim lock busy until they expire.
            let wait = min(30, max(2, (now.timeIntervalSince(request.requestedAt)) / 4))
            try await queue.reschedule(request, to: now + wait, countsAttempt: false)
            work.signal()  // its waiting twins are claimable now
            return
        }
        let order: OrderDetail?
        do {
            order = try await provider.order(number: request.orderNumber)
        } catch {
            return try await retry(request, reason: "provider unavailable")
        }
        guard let order else { return try await finish(request, .noOrder) }
        guard ConstantTime.equals(Digests.email(order.email, key: requestKey), request.emailDigest) else {
            return try await finish(request, .mismatch)
        }
        let day = Int(now.timeIntervalSince1970 / 86400)
        if let budget = try await codes.budget(orderNumber: request.orderNumber), budget.isLocked(on: day, policy: policy.failureBudget) {
            return try await finish(request, .locked)
        }
        let perOrder = try await codes.issuedCount(
            orderNumber: request.orderNumber,
            since: now - TimeInterval(policy.codes.perOrderWindowSeconds)
        )
        let perEmail = try await codes.issuedCount(
            emailDigest: request.emailDigest,
            since: now - TimeInterval(policy.codes.perEmailWindowSeconds)
        )
        // A retry of this same request was counted already (issuance is recorded per request).
        let counted = request.deliveryAttempts > 0 ? 1 : 0
        if perOrder - counted >= policy.codes.perOrderLimit || perEmail - counted >= policy.codes.perEmailLimit {
            return try await finish(request, .limited)
        }
        guard EmailAddress.isAcceptable(order.email) else { return try await finish(request, .badRecipient) }
        guard let mailer else { return try await finish(request, .noMailer) }

        let active = keys.active
        let code = SecureRandom.decimalCode(digits: 6)
        let expiresAt = now + ttl
        let codeDigest = Digests.code(code, orderNumber: request.orderNumber, key: active)
        let stored = try await codes.storeCode(
            StoredCode(
                orderKey: request.orderNumber,
                codeDigest: codeDigest,
                emailDigest: Digests.email(order.email, key: active),
                kid: active.kid,
                expiresAt: expiresAt,
                attempts: 0,
                used: false
            ),
            requestID: request.id,
            leaseToken: request.leaseToken,
            emailDigest: request.emailDigest,
            at: now
        )
        // Revoked (or otherwise finished) while the order was being fetched: the revoke wins.
        guard stored else {
            metrics.count(.codeRequestsFinished, [(.outcome, CodeRequestOutcome.revoked.rawValue)])
            return
        }
        let message = AccessCodeMessage(
            to: order.email,
            orderNumber: order.orderNumber,
            code: code,
            expiresAt: expiresAt,
            language: request.language
        )
        let worker = self
        // The lease runs from the time the claim was stamped with (taken before any wait for the claim lock), less a
        // second's margin so a record made in time is not one a replica taking the request over races.
        let leaseEnds = (claimedAt ?? now) + lease - 1
        let send: @Sendable () async -> Void = {
            do {
                try await worker.deliver(message, for: request, mailer: mailer, codeDigest: codeDigest, leaseEnds: leaseEnds)
            } catch {
                worker.logger.error("code delivery worker: storage error", metadata: ["reason": "\(error)"])
            }
        }
        if let spawn { await spawn(send) } else { await send() }
    }

    /// Sends a stored code and ends the request, or invalidates the code and
    /// schedules a retry. Runs with the request's claim still held (its lease
    /// covers a delivery's timeout).
    private func deliver(
        _ message: AccessCodeMessage,
        for request: CodeRequest,
        mailer: any Mailer,
        codeDigest: [UInt8],
        leaseEnds: Date
    ) async throws(StoreError) {
        do {
            try await mailer.deliver(message)
        } catch {
            metrics.count(.mailDeliveryFailures, [(.reason, ((error as? any ClassifiedMailError)?.failure ?? .other).rawValue)])
            // Nobody received this code: it must not stay usable. The retry sends a fresh one.
            try await codes.invalidate(orderNumber: request.orderNumber, codeDigest: codeDigest)
            return try await retry(request, reason: "delivery by \(mailer.kind) failed: \(error)")
        }
        try await recordSent(request, until: leaseEnds)
    }

    /// Records that a code went out. A sent message cannot be taken back, so
    /// a database that is unreachable for a moment (a restart, a failover)
    /// must not leave the request looking unserved: its lease would lapse and
    /// another worker would send the shopper a second code. The record is
    /// retried until the lease is about to end (finishing is idempotent: a
    /// record that did commit before its answer was lost makes the retry a
    /// no-op). An outage longer than what is left of the lease after the
    /// lookup and the send (at least about 8 s) can still cause a resend.
    private func recordSent(_ request: CodeRequest, until leaseEnds: Date) async throws(StoreError) {
        while true {
            do {
                return try await finish(request, .sent)
            } catch {
                guard clock.now() + 1 < leaseEnds, !Task.isCancelled else { throw error }
                logger.warning("code sent, but its record failed; retrying", metadata: ["request": "\(request.id)", "reason": "\(error)"])
                try? await Task.sleep(for: .milliseconds(500))
            }
        }
    }

    private func finish(_ request: CodeRequest, _ outcome: CodeRequestOutcome) async throws(StoreError) {
        let sent = outcome == .sent
        let event = audit.event(
            sent ? .codeDelivered : .codeNotSent,
            orderNumber: request.orderNumber,
            detail: sent ? nil : outcome.rawValue
        )
        let collapsed = try await queue.finish(request, outcome: outcome, event: event)
        // Twins waiting behind this request that it did not end are claimable now.
        if !outcome.collapsesTwins { work.signal() }
        metrics.count(.codeRequestsFinished, [(.outcome, outcome.rawValue)])
        if let collapsed, collapsed > 0 {
            metrics.count(.codeRequestsFinished, [(.outcome, CodeRequestOutcome.collapsed.rawValue)], by: collapsed)
        }
        logger.info("code request finished", metadata: ["request": "\(request.id)", "outcome": "\(outcome.rawValue)"])
    }

    private func retry(_ request: CodeRequest, reason: String) async throws(StoreError) {
        guard request.deliveryAttempts + 1 < policy.mail.maxDeliveryAttempts else {
            logger.warning("code request given up after its last attempt", metadata: ["request": "\(request.id)", "reason": "\(reason)"])
            return try await finish(request, .gaveUp)
        }
        let delay = min(pow(2.0, Double(request.deliveryAttempts)), 30)
        try await queue.reschedule(request, to: clock.now() + delay, countsAttempt: true)
        work.signal()  // its waiting twins are claimable now
        metrics.count(.codeDeliveriesRetried)
        await audit.record(.codeDeliveryFailed, orderNumber: request.orderNumber)
        logger.warning(
            "code request will be retried",
            metadata: ["request": "\(request.id)", "reason": "\(reason)", "in_seconds": "\(delay)"]
        )
    }
}

import Foundation
public import GuestAccessCore
import GuestAccessCrypto
public import Logging

/// `POST /v1/access-codes/verify`: a shopper proves control of the order's
/// email with the code sent to it, and gets the full order and an access
/// token for that one order.
///
/// Read top to bottom, this is the whole path:
/// 1. the body is checked on its own bytes (a 400 never depends on stored state);
/// 2. one attempt runs in the store's write transaction
///    (`AccessCodeStore.attempt`): it reads the order's code and failure
///    budget — or, when the order has none, the decoy rows, so every path
///    runs the same statements — and `judge` computes both digests under the
///    stored row's key and compares them in constant time on every path;
///    `CodeVerification.decide` counts the attempt against the code and the
///    budgets, and the store writes back exactly the rows it read
///    (`VerifyWriteBack`: decoys only ever with their pristine values);
/// 3. every failure is the same `invalidCode`, padded to the policy's
///    response floor;
/// 4. on success the order is fetched; if the provider is down the used code
///    is given back (`restore`), since the shopper proved it and the outage is ours;
/// 5. an HS256 access token for the order is issued with the active key.
public struct VerifyCode<Codes: AccessCodeStore, Provider: OrderDetailProvider>: Sendable {
    let codes: Codes
    let orders: OrderLookup<Provider>
    let keyring: KeyringHolder
    let issuer: AccessTokenIssuer
    let policy: Policy
    let clock: any WallClock
    let metrics: ServiceMetrics
    let audit: AuditLog

    init(
        codes: Codes,
        provider: Provider,
        keyring: KeyringHolder,
        issuer: AccessTokenIssuer,
        policy: Policy,
        clock: any WallClock,
        metrics: ServiceMetrics,
        audit: AuditLog
    ) {
        self.codes = codes
        self.orders = OrderLookup(provider: provider)
        self.keyring = keyring
        self.issuer = issuer
        self.policy = policy
        self.clock = clock
        self.metrics = metrics
        self.audit = audit
    }

    /// What a right code buys: an access token for the order, and the order.
    public struct Access: Sendable {
        public let accessToken: String
        public let expiresIn: Int
        public let order: OrderDetail
    }

    /// Throws `invalidRequest` for a malformed body, `invalidCode` for every
    /// failed attempt, `unavailable` when storage or the provider is down.
    /// The response floor counts from `started`: the caller's start of the
    /// request (before its body was read), or now.
    public func callAsFunction(
        _ body: CodeRequestBody,
        startedAt started: ContinuousClock.Instant = .now,
        logger: Logger
    ) async throws(UseCaseError) -> Access {
        do { try body.validate(requireCode: true) } catch { throw .invalidRequest(error.message) }
        let keyring = keyring.keyring
        let now = clock.now()
        let orderNumber = body.orderNumber

        let decision: VerifyDecision
        do {
            decision = try await codes.verifyAttempt(
                orderNumber: orderNumber,
                email: body.email,
                code: body.code ?? "",
                keyring: keyring,
                now: now,
                policy: policy,
                audit: audit.event(.verifyFailed, orderNumber: orderNumber, key: keyring.active, at: now)
            )
        } catch {
            logger.error("verify could not be recorded", metadata: ["reason": "\(error)"])
            throw .unavailable
        }
        metrics.count(.verifications, [(.outcome, decision.success ? "success" : "failure")])
        if decision.burnedCode { metrics.count(.codesBurned) }
        if decision.lockedOrder { metrics.count(.ordersLocked) }
        guard decision.success else {
            await pad(since: started)
            throw .invalidCode
        }

        let order: OrderDetail
        do {
            order = try await orders.order(orderNumber)
        } catch .notFound {
            await pad(since: started)
            throw .invalidCode
        } catch {
            do {
                try await codes.restore(orderNumber: orderNumber, codeDigest: decision.codeDigest, attempts: decision.attempts)
            } catch {
                logger.error("a used code could not be restored", metadata: ["reason": "\(error)"])
            }
            throw .unavailable
        }

        // Dated by the earlier of this replica's clock and the store's, read under the order's
        // lock: a revoke committed after this attempt, on any replica, is dated later.
        let token = issuer.issue(orderNumber: orderNumber, keyring: keyring, now: min(now, decision.storeTime ?? now))
        metrics.count(.accessTokensIssued)
        await audit.record(.tokenIssued, orderNumber: orderNumber, detail: keyring.active.kid)
        logger.info("access token issued", metadata: ["kid": "\(keyring.active.kid)"])
        await pad(since: started)
        return Access(accessToken: token, expiresIn: issuer.ttlSeconds, order: order)
    }

    /// Waits out the rest of the response floor: a second line behind equal work.
    private func pad(since started: ContinuousClock.Instant) async {
        let floor = Duration.milliseconds(policy.codes.responseFloorMilliseconds)
        let elapsed = ContinuousClock.now - started
        if elapsed < floor { try? await Task.sleep(for: floor - elapsed) }
    }
}

extension AccessCodeStore {
    /// Step 2 of `VerifyCode`: one attempt in the store's write transaction,
    /// `audit` recorded in it with its kind and detail set from the decision.
    func verifyAttempt(
        orderNumber: String,
        email: String,
        code: String,
        keyring: Keyring,
        now: Date,
        policy: Policy,
        audit: AuditEvent
    ) async throws(StoreError) -> VerifyDecision {
        try await attempt(orderNumber: orderNumber, audit: audit) { stored, budget in
            Self.judge(
                email: email,
                code: code,
                orderNumber: orderNumber,
                stored: stored,
                budget: budget,
                keyring: keyring,
                now: now,
                policy: policy
            )
        }
    }

    /// Runs inside the store's transaction, on every path, the decoy included:
    /// both digests under the stored row's key and both constant-time
    /// comparisons. A key id the keyring does not know (retired, or the
    /// decoy's empty one) still costs the same HMACs under the active key,
    /// and can never match.
    static func judge(
        email: String,
        code: String,
        orderNumber: String,
        stored: StoredCode,
        budget: OrderBudget,
        keyring: Keyring,
        now: Date,
        policy: Policy
    ) -> VerifyDecision {
        let known = keyring.key(kid: stored.kid)
        let key = known ?? keyring.active
        let emailMatches = ConstantTime.equals(Digests.email(email, key: key), stored.emailDigest)
        let codeMatches = ConstantTime.equals(Digests.code(code, orderNumber: orderNumber, key: key), stored.codeDigest)
        return CodeVerification.decide(
            code: stored,
            budget: budget,
            emailMatches: emailMatches && known != nil,
            codeMatches: codeMatches && known != nil,
            now: now,
            policy: policy
        )
    }
}

import Foundation
import GuestAccessCore
import GuestAccessCrypto
import Hummingbird
import Logging

/// `POST /v1/access-codes` (always 202 once well-formed) and
/// `POST /v1/access-codes/verify` (one 401 for every failure).
public struct AccessCodeController<Codes: AccessCodeStore, Queue: CodeRequestQueue, Provider: OrderDetailProvider>: Sendable {
    let codes: Codes
    let queue: Queue
    let provider: Provider
    let keyring: KeyringHolder
    let issuer: AccessTokenIssuer
    let json: JSONRequest
    let policy: Policy
    let clock: any WallClock
    let logger: Logger
    let metrics: ServiceMetrics
    let audit: AuditLog

    public init(
        codes: Codes, queue: Queue, provider: Provider, keyring: KeyringHolder, issuer: AccessTokenIssuer,
        json: JSONRequest, policy: Policy, clock: any WallClock, logger: Logger, metrics: ServiceMetrics, audit: AuditLog
    ) {
        self.codes = codes
        self.queue = queue
        self.provider = provider
        self.keyring = keyring
        self.issuer = issuer
        self.json = json
        self.policy = policy
        self.clock = clock
        self.logger = logger
        self.metrics = metrics
        self.audit = audit
    }

    public func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("/access-codes", use: request)
        group.post("/access-codes/verify", use: verify)
    }

    /// Records the request durably and answers at once: finding the order,
    /// comparing the email, creating and sending the code happen in
    /// `CodeDeliveryWorker`, so the answer cannot depend on them.
    @Sendable func request(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await json.decode(CodeRequestBody.self, from: request)
        do { try body.validate(requireCode: false) } catch { throw APIError.invalidRequest(error.message) }
        let key = keyring.keyring.active
        let now = clock.now()
        do {
            try await queue.enqueue(
                orderNumber: body.orderNumber, emailDigest: Digests.email(body.email, key: key), emailKid: key.kid,
                clientDigest: Digests.client(context.clientKey, key: key), at: now,
                audit: audit.event(.codeRequested, orderNumber: body.orderNumber, key: key, at: now))
        } catch {
            logger.error("code request could not be queued", metadata: ["reason": "\(error)"])
            throw APIError.unavailable
        }
        metrics.count("codes_requested")
        return try JSONResponse.make(["status": "accepted"], status: .accepted)
    }

    struct VerifyResponse: Encodable {
        let accessToken: String
        let tokenType: String
        let expiresIn: Int
        let order: OrderDetail
    }

    /// Verifies in one write transaction (see `AccessCodeStore.attempt`); the
    /// email and code digests are computed and compared on every path, and
    /// every failure is padded to the policy's response floor.
    @Sendable func verify(_ request: Request, context: AppRequestContext) async throws -> Response {
        let started = ContinuousClock.now
        let body = try await json.decode(CodeRequestBody.self, from: request)
        do { try body.validate(requireCode: true) } catch { throw APIError.invalidRequest(error.message) }
        let keyring = keyring.keyring
        let now = clock.now()
        let orderNumber = body.orderNumber
        let decision: VerifyDecision
        do {
            decision = try await CodeVerifier(codes: codes, policy: policy).verify(
                orderNumber: orderNumber, email: body.email, code: body.code ?? "", keyring: keyring, now: now,
                audit: audit.event(.verifyFailed, orderNumber: orderNumber, key: keyring.active, at: now))
        } catch {
            logger.error("verify could not be recorded", metadata: ["reason": "\(error)"])
            throw APIError.unavailable
        }
        metrics.count("verifications", [("outcome", decision.success ? "success" : "failure")])
        if decision.burnedCode { metrics.count("codes_burned") }
        if decision.lockedOrder { metrics.count("orders_locked") }
        guard decision.success else {
            try await pad(since: started)
            throw APIError.invalidCode
        }
        let order: OrderDetail?
        do {
            order = try await provider.order(number: orderNumber)
        } catch {
            // The right code was proven; the outage is ours. Give the code back so the
            // shopper can retry with it (only success reaches here: failure paths are unchanged).
            do {
                try await codes.restore(orderNumber: orderNumber, codeDigest: decision.codeDigest, attempts: decision.attempts)
            } catch {
                logger.error("a used code could not be restored", metadata: ["reason": "\(error)"])
            }
            throw APIError.unavailable
        }
        guard let order else {
            try await pad(since: started)
            throw APIError.invalidCode
        }
        let token = issuer.issue(orderNumber: orderNumber, keyring: keyring, now: now)
        metrics.count("access_tokens_issued")
        await audit.record(.tokenIssued, orderNumber: orderNumber, detail: keyring.active.kid)
        logger.info("access token issued", metadata: ["request_id": "\(context.requestID)", "kid": "\(keyring.active.kid)"])
        try await pad(since: started)
        return try JSONResponse.make(VerifyResponse(accessToken: token, tokenType: "Bearer", expiresIn: issuer.ttlSeconds, order: order))
    }

    private func pad(since started: ContinuousClock.Instant) async throws {
        let floor = Duration.milliseconds(policy.codes.responseFloorMilliseconds)
        let elapsed = ContinuousClock.now - started
        if elapsed < floor { try await Task.sleep(for: floor - elapsed) }
    }
}

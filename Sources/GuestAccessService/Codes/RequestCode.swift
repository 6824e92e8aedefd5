public import GuestAccessCore
import GuestAccessCrypto
public import Logging

/// `POST /v1/access-codes`: records the request durably and answers at once.
/// Finding the order, comparing the email, the limits and sending happen
/// later in `CodeDeliveryWorker`, so the answer — always the same — cannot
/// depend on whether the order or email exist.
public struct RequestCode<Queue: CodeRequestQueue>: Sendable {
    let queue: Queue
    /// Signalled after each enqueue: an idle delivery worker claims at once.
    let work: WorkSignal
    let keyring: KeyringHolder
    let clock: any WallClock
    let metrics: ServiceMetrics
    let audit: AuditLog

    /// `clientKey` is the caller's rate-limit key: whose turn the request takes
    /// in the queue (stored only as a keyed digest). Throws `invalidRequest`
    /// for a malformed body, `unavailable` when the request cannot be queued.
    /// `language` is the one the email will speak.
    public func callAsFunction(
        _ body: CodeRequestBody,
        clientKey: String,
        language: ShopperLanguage = .en,
        logger: Logger
    ) async throws(UseCaseError) {
        do { try body.validate(requireCode: false) } catch { throw .invalidRequest(error.message) }
        let key = keyring.keyring.active
        let now = clock.now()
        do {
            try await queue.enqueue(
                orderNumber: body.orderNumber,
                emailDigest: Digests.email(body.email, key: key),
                emailKid: key.kid,
                clientDigest: Digests.client(clientKey, key: key),
                language: language,
                at: now,
                audit: audit.event(.codeRequested, orderNumber: body.orderNumber, key: key, at: now)
            )
        } catch {
            logger.error("code request could not be queued", metadata: ["reason": "\(error)"])
            throw .unavailable
        }
        work.signal()
        metrics.count(.codesRequested)
    }
}

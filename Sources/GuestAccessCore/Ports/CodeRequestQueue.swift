public import Foundation

/// A code request as queued: the email only as a keyed digest.
public struct CodeRequest: Sendable, Equatable {
    public let id: Int64
    public let orderNumber: String
    public let emailDigest: [UInt8]
    public let emailKid: String
    public let requestedAt: Date
    public let deliveryAttempts: Int
    /// Random per claim: only the worker holding this claim may reschedule or
    /// finish the request (a worker that outlived its lease cannot).
    public let leaseToken: Int64
    /// The language of the page or API call that asked: the email's.
    public let language: ShopperLanguage

    public init(
        id: Int64,
        orderNumber: String,
        emailDigest: [UInt8],
        emailKid: String,
        requestedAt: Date,
        deliveryAttempts: Int,
        leaseToken: Int64 = 0,
        language: ShopperLanguage = .en
    ) {
        self.leaseToken = leaseToken
        self.language = language
        self.id = id
        self.orderNumber = orderNumber
        self.emailDigest = emailDigest
        self.emailKid = emailKid
        self.requestedAt = requestedAt
        self.deliveryAttempts = deliveryAttempts
    }
}

/// The durable queue between `POST /v1/access-codes` and the delivery worker.
/// A request is committed before the caller gets its 202, and stays pending
/// until it is delivered or given up, across restarts.
///
/// Requests are served in turns by client (start-time fair queuing): a
/// request's turn is one after its client's last, and never behind the turn
/// being served, and the next one claimed is the due request with the
/// lowest turn. So a client flooding the queue waits behind its own
/// requests, a shopper's request is served after at most one request per
/// other active client, and a claim is one indexed read however long the
/// queue. A claim is a lease with a token: a request in progress is not
/// claimed again until its lease runs out, and only its holder may end it.
public protocol CodeRequestQueue: Sendable {
    /// Queues a request and records `audit` in the same transaction. The same
    /// statements run for every request, duplicate or not.
    func enqueue(
        orderNumber: String,
        emailDigest: [UInt8],
        emailKid: String,
        clientDigest: [UInt8],
        language: ShopperLanguage,
        at date: Date,
        audit: AuditEvent
    ) async throws(StoreError)
    /// Claims the next due request by turn (see above) for `lease`
    /// seconds. A request whose twin (same order and email digest) is in
    /// progress waits: `finish` collapses it into the twin's outcome
    /// (when `CodeRequestOutcome.collapsesTwins`).
    func claimNext(at date: Date, lease: TimeInterval) async throws(StoreError) -> CodeRequest?
    /// Ends every lease (at start: on one node, no other worker holds one).
    func releaseLeases() async throws(StoreError)
    /// Sets the next attempt and ends the lease (only while `request`'s claim holds);
    /// `countsAttempt` false hands the claim back without using up a delivery attempt.
    func reschedule(_ request: CodeRequest, to date: Date, countsAttempt: Bool) async throws(StoreError)
    /// Ends the request with `outcome`, ends
    /// its pending twins as `collapsed` (one lookup and one code serve them
    /// all), and records `event` in the same transaction: a `code.delivered`
    /// row as it is, any other outcome folded with the request's own
    /// `code.requested` row into one hourly row per order, outcome and hour
    /// (with no order at all for `.noOrder`), so a flood of requests adds
    /// rows per hour, not per request. Returns how many twins were collapsed,
    /// or nil when the request was already finished (a revoke, say).
    @discardableResult
    func finish(_ request: CodeRequest, outcome: CodeRequestOutcome, event: AuditEvent) async throws(StoreError) -> Int?
    /// Ends, as `expired`, every pending request queued before `date` that no
    /// worker holds, folding their audit rows into one; returns how many. A
    /// flood that outlives the codes' lifetime drains in bulk, not one claim each.
    func expire(requestedBefore date: Date, at now: Date) async throws(StoreError) -> Int
    /// Deletes finished requests queued before `date`; returns how many. Pending
    /// ones are never deleted.
    func pruneFinished(before date: Date) async throws(StoreError) -> Int
    /// How many requests are still pending.
    func pendingCount() async throws(StoreError) -> Int
}

public import Foundation

/// Durable one-time codes, their failure budgets and issuance counts.
public protocol AccessCodeStore: Sendable {
    /// Replaces the order's code (a new code supersedes the old one) and
    /// records one issuance for `requestID` (counted once however often a
    /// delivery is retried) — only while that request is still pending, in
    /// the same transaction, and only for the claim `leaseToken` (a worker whose
    /// lease ran out and was claimed again stores nothing): a revoke that
    /// committed first (it finishes the order's pending requests) wins, and
    /// nothing is stored. Returns whether the code was stored.
    func storeCode(
        _ code: StoredCode,
        requestID: Int64,
        leaseToken: Int64,
        emailDigest: [UInt8],
        at date: Date
    ) async throws(StoreError) -> Bool

    /// Codes issued for the order, and for the email digest, since `date`.
    func issuedCount(orderNumber: String, since date: Date) async throws(StoreError) -> Int
    func issuedCount(emailDigest: [UInt8], since date: Date) async throws(StoreError) -> Int

    /// The order's failure budget, if it has one.
    func budget(orderNumber: String) async throws(StoreError) -> OrderBudget?

    /// One verify attempt in one write transaction that takes the write lock
    /// first: read the order's code and budget (or the decoys), let `decide`
    /// judge them, write the decision back and record `audit` (its kind and
    /// detail set from the decision). The same statements run whether or not
    /// the order, its code or its budget exist.
    func attempt(
        orderNumber: String,
        audit: AuditEvent,
        decide: @escaping @Sendable (StoredCode, OrderBudget) -> VerifyDecision
    ) async throws(StoreError) -> VerifyDecision

    /// Gives back a code that a right answer used, when the order could not be
    /// fetched afterwards (provider unavailable): the shopper proved the code,
    /// and an outage must not cost it. Only if the row is still that used code
    /// (same digest, `attempts` as the successful attempt left it); a newer
    /// code or a revoke wins.
    func restore(orderNumber: String, codeDigest: [UInt8], attempts: Int) async throws(StoreError)

    /// Invalidates the order's code if it is still the one with `codeDigest`
    /// (a code whose delivery failed must not stay usable).
    func invalidate(orderNumber: String, codeDigest: [UInt8]) async throws(StoreError)

    /// Revokes every access to the order in one transaction that takes the
    /// write lock first: its tracking tokens, the access tokens issued until
    /// now (the revocation time), its code, and its pending code requests.
    /// The time is read from `now` inside the transaction, once the lock is
    /// held, so every verify that committed before it began earlier and its
    /// token is refused; a verify that commits after it finds no code.
    func revokeOrder(_ orderNumber: String, now: @escaping @Sendable () -> Date) async throws(StoreError)
}

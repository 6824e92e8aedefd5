/// The security events the audit trail records. The raw values are what
/// `guest-access audit` prints and filters on; they never change once shipped.
public enum AuditEventKind: String, Sendable, Equatable, CaseIterable, Codable {
    /// `POST /v1/access-codes` was accepted (for any order number, known or not).
    case codeRequested = "code.requested"
    /// A code was sent to the email on record.
    case codeDelivered = "code.delivered"
    /// A delivery failed; the request is retried with a fresh code.
    case codeDeliveryFailed = "code.delivery_failed"
    /// A request ended without a code; the detail says why (no-order, mismatch,
    /// limited, locked, expired, …).
    case codeNotSent = "code.not_sent"
    /// A verify attempt failed; the detail says whether it counted.
    case verifyFailed = "verify.failed"
    /// A verify attempt failed and used up the code's last attempt.
    case codeBurned = "code.burned"
    /// A verify attempt failed and exhausted an order failure budget.
    case orderLocked = "order.locked"
    /// A verify attempt succeeded.
    case verifySucceeded = "verify.succeeded"
    /// An access token was issued (the detail is its key id).
    case tokenIssued = "token.issued"
    /// An access token was signed out.
    case tokenRevoked = "token.revoked"
    /// An admin revoked all access to an order.
    case orderRevoked = "order.revoked"
    /// An admin minted a tracking token.
    case trackingTokenMinted = "tracking_token.minted"
    /// `keys init` created a keyring.
    case keyCreated = "key.created"
    /// `keys rotate` made a new active key.
    case keyRotated = "key.rotated"
    /// `keys retire` erased a key.
    case keyRetired = "key.retired"

    /// Kinds an outsider's traffic can multiply without bound (every request
    /// or verify attempt adds one): the only ones `audit.maxEvents` prunes.
    public static let multipliedByTraffic: [AuditEventKind] = [.codeRequested, .codeNotSent, .codeDeliveryFailed, .verifyFailed]
}

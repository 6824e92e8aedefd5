/// How a queued code request ended: the one list the delivery worker, the
/// queue's SQL (`code_requests.outcome`), the audit trail's `code.not_sent`
/// detail and the `code_requests_finished` metric's `outcome` label all use.
/// The raw values are stored and exported: they never change once shipped.
public enum CodeRequestOutcome: String, Sendable, Equatable, CaseIterable {
    /// The code was sent to the email on record.
    case sent
    /// The request outlived a code's lifetime before it could be served.
    case expired
    /// The key its email digest was made with has been retired.
    case keyRetired = "key-retired"
    /// The provider does not know the order.
    case noOrder = "no-order"
    /// The email is not the order's.
    case mismatch
    /// The order's failure budget is exhausted.
    case locked
    /// The per-order or per-email issuance limit was reached.
    case limited
    /// The email on record is not one a code can be sent to.
    case badRecipient = "bad-recipient"
    /// No mailer is configured.
    case noMailer = "no-mailer"
    /// Every allowed delivery attempt failed.
    case gaveUp = "gave-up"
    /// An admin revoked the order while the request was pending.
    case revoked
    /// A twin request (same order and email) was served in its place.
    case collapsed

    /// Outcomes a pending twin may share: the order and email were judged.
    /// Not when this request ran out of time or attempts, or its key is gone:
    /// the twin, queued later, may still be served.
    public var collapsesTwins: Bool {
        switch self {
        case .expired, .gaveUp, .keyRetired: false
        default: true
        }
    }
}

/// The catalogue of everything the service exports on `/metrics`: counter and
/// histogram names (each exported as `guest_access_<name>_total` or
/// `guest_access_<name>_seconds`) and the label keys. Labels carry kinds and
/// outcomes only — never an order number, email, token or client address —
/// so the set of series stays small and fixed.
public enum Metric {
    /// Counters, `guest_access_<rawValue>_total`.
    public enum Counter: String, Sendable, CaseIterable {
        /// Every answered request, by `route` template and `status`.
        case httpRequests = "http_requests"
        /// Code requests accepted (202).
        case codesRequested = "codes_requested"
        /// Code requests ended, by `outcome` (a `CodeRequestOutcome`).
        case codeRequestsFinished = "code_requests_finished"
        /// Deliveries that failed and were rescheduled.
        case codeDeliveriesRetried = "code_deliveries_retried"
        /// Deliveries the mailer failed, by `reason` (a `MailFailure`:
        /// `authentication` when the mail server refused the login).
        case mailDeliveryFailures = "mail_delivery_failures"
        /// Verify attempts, by `outcome` (`success` or `failure`).
        case verifications
        /// Codes burned by their last wrong attempt.
        case codesBurned = "codes_burned"
        /// Orders whose failure budget a wrong attempt exhausted.
        case ordersLocked = "orders_locked"
        /// Access tokens issued.
        case accessTokensIssued = "access_tokens_issued"
        /// Access tokens refused, by `reason`.
        case accessTokensRefused = "access_tokens_refused"
        /// Requests refused by the per-client limit.
        case rateLimited = "rate_limited"
        /// Key ids met that this replica's keyring never held (retired ones
        /// aside), by `source`: `queued_request` (written by another replica:
        /// a key activated there before this replica was given it) or
        /// `access_token` (from a token header, which anyone can forge).
        case unknownKeyIDs = "unknown_key_ids"
        /// Keyring reloads, by `result` (`ok` or `refused`).
        case keyringReloads = "keyring_reloads"
        /// Audit events that could not be written.
        case auditWriteFailures = "audit_write_failures"
        /// Order provider calls that failed.
        case orderProviderErrors = "order_provider_errors"
        /// Log lines the process's standard-error writer dropped: its reader
        /// stalled while the queue was full, or the descriptor failed.
        case logLinesDropped = "log_lines_dropped"
    }

    /// Histograms of durations, `guest_access_<rawValue>_seconds`.
    public enum Timer: String, Sendable, CaseIterable {
        /// Time to answer, by `route` template.
        case httpRequest = "http_request"
        /// Time of an order provider call, by `result` (a `ProviderResult`).
        case orderProvider = "order_provider"
    }

    /// The values of `Timer.orderProvider`'s `result` label.
    public enum ProviderResult: String, Sendable, CaseIterable {
        /// The provider answered with the order.
        case found
        /// The provider answered that it has no such order.
        case notFound = "not_found"
        /// The provider failed (unreachable, timed out, or an answer it could not read).
        case unavailable
    }

    /// Label keys.
    public enum Label: String, Sendable, CaseIterable {
        case route
        case status
        case outcome
        case result
        case reason
        case source
    }
}

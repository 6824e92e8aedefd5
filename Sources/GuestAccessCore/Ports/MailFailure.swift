/// Why a delivery failed, in words an operator can alert on: a rejected
/// SMTP login needs a new password, an unreachable server needs the network
/// looked at. Counted by `mail_delivery_failures_total{reason}`.
public enum MailFailure: String, Sendable, CaseIterable {
    /// The mail server refused our credentials (SMTP 535 and its kin).
    case authentication
    /// TLS could not be set up or was not offered where it is required.
    case tls
    /// The server refused the message or a command.
    case refused
    /// No answer in time, no connection, or a connection dropped.
    case unavailable
    /// Anything else.
    case other
}

/// A mailer error that says which `MailFailure` it is.
public protocol ClassifiedMailError: Error {
    var failure: MailFailure { get }
}

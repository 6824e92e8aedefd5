public import GuestAccessCore

/// Delivery failed; `reason` never holds the recipient, the code or a credential.
public enum MailError: Error, Sendable, Equatable, CustomStringConvertible, ClassifiedMailError {
    case cannotWrite(reason: String)
    case unsupported(String)
    case rejected(reason: String)
    /// The SMTP server refused the login (the reply code only).
    case authenticationFailed(reply: Int)
    /// TLS is required (for the message or for credentials) and was not to be had.
    case tlsRequired(reason: String)
    /// No connection, no answer in time, or the connection dropped.
    case unreachable(reason: String)

    public var description: String {
        switch self {
        case .cannotWrite(let reason): "mail delivery failed: \(reason)"
        case .unsupported(let what): "mailer not supported: \(what)"
        case .rejected(let reason): "mail delivery refused: \(reason)"
        case .authenticationFailed(let reply): "SMTP login refused (reply \(reply)): check --smtp-username and the SMTP password"
        case .tlsRequired(let reason): "mail delivery refused: \(reason)"
        case .unreachable(let reason): "mail server unreachable: \(reason)"
        }
    }

    public var failure: MailFailure {
        switch self {
        case .cannotWrite, .unsupported: .other
        case .rejected: .refused
        case .authenticationFailed: .authentication
        case .tlsRequired: .tls
        case .unreachable: .unavailable
        }
    }
}

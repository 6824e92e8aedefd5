/// Delivery failed; `reason` never holds the recipient or the code.
public enum MailError: Error, Sendable, Equatable, CustomStringConvertible {
    case cannotWrite(reason: String)
    case unsupported(String)
    case rejected(reason: String)

    public var description: String {
        switch self {
        case .cannotWrite(let reason): "mail delivery failed: \(reason)"
        case .unsupported(let what): "mailer not supported: \(what)"
        case .rejected(let reason): "mail delivery refused: \(reason)"
        }
    }
}

/// Delivers one-time codes to the email on record.
public protocol Mailer: Sendable {
    /// A short name for logs (`file`, `smtp`, `webhook`): which mailer a
    /// start-up line or a failed delivery is about.
    var kind: String { get }
    /// Delivers the message or throws; the caller decides whether to retry.
    func deliver(_ message: AccessCodeMessage) async throws
}

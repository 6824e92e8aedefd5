/// Bounds on delivering a code.
public struct MailPolicy: Sendable, Equatable {
    /// Seconds one delivery (SMTP conversation or webhook call) may take
    /// before it counts as failed: its code is invalidated and the request
    /// retried with a fresh one.
    public var timeoutSeconds: Int

    public init(timeoutSeconds: Int) { self.timeoutSeconds = timeoutSeconds }
}

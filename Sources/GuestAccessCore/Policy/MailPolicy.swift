/// Bounds on delivering a code.
public struct MailPolicy: Sendable, Equatable, Encodable {
    /// Seconds one delivery (SMTP conversation or webhook call) may take
    /// before it counts as failed: its code is invalidated and the request
    /// retried with a fresh one.
    public var timeoutSeconds: Int
    /// Code requests worked on at once (provider lookup and delivery). More
    /// than one, so a slow provider or mail server cannot hold up the queue
    /// behind one request; bounded, so a flood cannot open unbounded
    /// connections to either.
    public var parallelDeliveries: Int
    /// Attempts (provider lookups) per code request, first one included,
    /// before it is given up: bounds what one queued request can cost the
    /// provider while it fails.
    public var maxDeliveryAttempts: Int

    public init(timeoutSeconds: Int, parallelDeliveries: Int = 8, maxDeliveryAttempts: Int = 4) {
        self.timeoutSeconds = timeoutSeconds
        self.parallelDeliveries = parallelDeliveries
        self.maxDeliveryAttempts = maxDeliveryAttempts
    }
}

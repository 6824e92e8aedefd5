/// How long, and how much, the audit trail keeps of security events.
public struct AuditPolicy: Sendable, Equatable, Encodable {
    /// Events older than this many days are deleted.
    public var retentionDays: Int
    /// At most this many rows are kept, the oldest deleted first: a size bound
    /// whatever the traffic (verify attempts record one row each).
    public var maxEvents: Int

    public init(retentionDays: Int, maxEvents: Int = 1_000_000) {
        self.retentionDays = retentionDays
        self.maxEvents = maxEvents
    }
}

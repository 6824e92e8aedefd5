/// How long the audit trail keeps security events.
public struct AuditPolicy: Sendable, Equatable {
    /// Events older than this many days are deleted.
    public var retentionDays: Int

    public init(retentionDays: Int) { self.retentionDays = retentionDays }
}

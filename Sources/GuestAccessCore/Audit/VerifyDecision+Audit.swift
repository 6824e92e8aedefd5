extension VerifyDecision {
    /// The audit event a verify attempt records: the most severe thing it did.
    /// Every attempt records exactly one event, in its own transaction, so
    /// the audit write costs the same on every path.
    public var auditKind: AuditEventKind {
        if success { return .verifySucceeded }
        if lockedOrder { return .orderLocked }
        if burnedCode { return .codeBurned }
        return .verifyFailed
    }

    /// `counted` when the attempt used up an attempt and budget, else
    /// `uncounted` (another email, no live code, no such order).
    public var auditDetail: String? {
        success ? nil : (counted ? "counted" : "uncounted")
    }
}

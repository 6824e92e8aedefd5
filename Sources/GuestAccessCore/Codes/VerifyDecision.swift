public import Foundation

/// What one verify attempt decided, and the state to write back. The store
/// writes it in the same transaction that read the state.
public struct VerifyDecision: Sendable, Equatable {
    public let success: Bool
    /// The code row after the attempt.
    public let attempts: Int
    public let used: Bool
    /// The budget row after the attempt.
    public let budget: OrderBudget
    /// This attempt burned the code (for metrics).
    public let burnedCode: Bool
    /// This attempt locked the order (for metrics).
    public let lockedOrder: Bool
    /// This failed attempt counted against the code and the order's budgets.
    public let counted: Bool
    /// The digest of the code a success used (empty otherwise): what a restore must still find.
    public let codeDigest: [UInt8]
    /// The store's own clock, read while it held the order's lock, when the
    /// store is shared by replicas whose clocks may differ (PostgreSQL); nil
    /// where this process's clock is the only one (SQLite). A token issued
    /// from this attempt is dated no later than it, so a revoke that commits
    /// after the attempt (and dates itself by the same clock, or later)
    /// always covers the token, whatever the replica's clock says.
    public var storeTime: Date?

    public init(
        success: Bool,
        attempts: Int,
        used: Bool,
        budget: OrderBudget,
        burnedCode: Bool = false,
        lockedOrder: Bool = false,
        counted: Bool = false,
        codeDigest: [UInt8] = []
    ) {
        self.codeDigest = codeDigest
        self.success = success
        self.attempts = attempts
        self.used = used
        self.budget = budget
        self.burnedCode = burnedCode
        self.lockedOrder = lockedOrder
        self.counted = counted
    }
}

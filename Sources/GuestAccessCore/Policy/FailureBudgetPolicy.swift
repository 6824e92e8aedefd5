/// Verify failures an order may take, across all its codes, before code access locks.
public struct FailureBudgetPolicy: Sendable, Equatable {
    /// Consecutive failures (NIST SP 800-63B §5.2.2 allows at most 100).
    public var consecutivePerOrder: Int
    /// Failures in any UTC day.
    public var dailyPerOrder: Int

    public init(consecutivePerOrder: Int, dailyPerOrder: Int) {
        self.consecutivePerOrder = consecutivePerOrder
        self.dailyPerOrder = dailyPerOrder
    }
}

/// Verify failures an order may take, across all its codes, before code access locks.
/// Only attempts with the order's own email count (see `CodeVerification`).
public struct FailureBudgetPolicy: Sendable, Equatable, Encodable {
    /// Consecutive failures (NIST SP 800-63B §5.2.2 allows at most 100).
    public var consecutivePerOrder: Int
    /// Failures in any UTC day.
    public var dailyPerOrder: Int
    /// Failures over the order's whole life, never reset — not even by the
    /// owner's success — so it bounds guessing however attempts interleave.
    public var totalPerOrder: Int

    public init(consecutivePerOrder: Int, dailyPerOrder: Int, totalPerOrder: Int) {
        self.consecutivePerOrder = consecutivePerOrder
        self.dailyPerOrder = dailyPerOrder
        self.totalPerOrder = totalPerOrder
    }
}

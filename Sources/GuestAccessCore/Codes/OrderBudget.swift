/// Verify failures counted against one order across all its codes.
public struct OrderBudget: Sendable, Equatable {
    /// The order number, or `""` for the decoy.
    public let orderKey: String
    public let consecutiveFailures: Int
    /// UTC day number (days since 1970) that `dayFailures` counts.
    public let day: Int
    public let dayFailures: Int
    /// Failures over the order's life; never reset.
    public let totalFailures: Int

    public init(orderKey: String, consecutiveFailures: Int, day: Int, dayFailures: Int, totalFailures: Int = 0) {
        self.orderKey = orderKey
        self.consecutiveFailures = consecutiveFailures
        self.day = day
        self.dayFailures = dayFailures
        self.totalFailures = totalFailures
    }

    /// The shared decoy row's values, as the migrations create it: never an order's.
    public static let decoy = OrderBudget(orderKey: "", consecutiveFailures: 0, day: 0, dayFailures: 0, totalFailures: 0)

    public var isDecoy: Bool { orderKey.isEmpty }

    /// Failures today, as of `day`.
    public func failures(on day: Int) -> Int { day == self.day ? dayFailures : 0 }

    /// Whether code access for the order is locked by `policy`.
    public func isLocked(on day: Int, policy: FailureBudgetPolicy) -> Bool {
        consecutiveFailures >= policy.consecutivePerOrder || failures(on: day) >= policy.dailyPerOrder
            || totalFailures >= policy.totalPerOrder
    }
}

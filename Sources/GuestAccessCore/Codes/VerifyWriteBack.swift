/// Which rows one verify attempt writes, and with what: exactly the rows it
/// read, so traffic on one order can never change another order's state.
///
/// The shared decoy rows stand in for a missing code or budget so that every
/// path runs the same statements; they must never carry an order's values,
/// or every order without a row of its own would be judged by them. So the
/// decision sees a zero budget in place of the decoy's, and the decoy rows
/// are written back with their own pristine values (only the write nonce
/// changes). The one row an attempt creates is the budget of an order that
/// has a code and no budget yet.
public struct VerifyWriteBack: Sendable, Equatable {
    public let code: StoredCode
    public let budget: OrderBudget

    public init(code: StoredCode, budget: OrderBudget) {
        self.code = code
        self.budget = budget
    }

    /// The decoy code row as the migrations create it.
    public static let decoyAttempts = 0
    public static let decoyUsed = false

    /// The budget the decision judges: the order's own, or a zero budget when the order has none.
    public var budgetForDecision: OrderBudget {
        budget.isDecoy ? OrderBudget(orderKey: code.orderKey, consecutiveFailures: 0, day: 0, dayFailures: 0, totalFailures: 0) : budget
    }

    /// The code row to write: the row read, with the decision's counters unless it is the decoy.
    public func codeRow(after decision: VerifyDecision) -> (key: String, attempts: Int, used: Bool) {
        code.isDecoy ? ("", Self.decoyAttempts, Self.decoyUsed) : (code.orderKey, decision.attempts, decision.used)
    }

    /// The budget row to write: the order's own row (read, or created for an
    /// order with a code), else the decoy with its pristine values.
    public func budgetRow(after decision: VerifyDecision) -> OrderBudget {
        let key = budget.isDecoy ? code.orderKey : budget.orderKey
        guard !key.isEmpty else { return OrderBudget.decoy }
        let after = decision.budget
        return OrderBudget(
            orderKey: key,
            consecutiveFailures: after.consecutiveFailures,
            day: after.day,
            dayFailures: after.dayFailures,
            totalFailures: after.totalFailures
        )
    }
}

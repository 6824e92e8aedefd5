public import Foundation

/// The rules of one verify attempt, without I/O: the caller computes whether
/// the email and the code match (in constant time, on every path) and this
/// decides, so every path runs the same store operations.
///
/// Only attempts whose email matches the order's count against the code and
/// the order's failure budget: an attempt with another email cannot succeed,
/// and counting it would let anyone who knows an order number burn its
/// owner's codes and lock the order. Nor does any attempt on a locked order:
/// it cannot succeed, and counting it made an attempt with the owner's email
/// do more work (so take measurably longer) than one with another email.
public enum CodeVerification {
    public static func decide(
        code: StoredCode,
        budget: OrderBudget,
        emailMatches: Bool,
        codeMatches: Bool,
        now: Date,
        policy: Policy
    ) -> VerifyDecision {
        let day = Int(now.timeIntervalSince1970 / 86400)
        let live = !code.isDecoy && !code.used && now < code.expiresAt && code.attempts < policy.codes.maxAttempts
        let locked = budget.isLocked(on: day, policy: policy.failureBudget)
        let counts = emailMatches && !code.isDecoy && !code.used && !locked
        let success = live && !locked && emailMatches && codeMatches

        if success {
            return VerifyDecision(
                success: true,
                attempts: code.attempts + 1,
                used: true,
                budget: OrderBudget(
                    orderKey: budget.orderKey,
                    consecutiveFailures: 0,
                    day: day,
                    dayFailures: budget.failures(on: day),
                    totalFailures: budget.totalFailures
                ),
                codeDigest: code.codeDigest
            )
        }
        guard counts else {
            return VerifyDecision(success: false, attempts: code.attempts, used: code.used, budget: budget)
        }
        let attempts = min(code.attempts + 1, policy.codes.maxAttempts)
        let after = OrderBudget(
            orderKey: budget.orderKey,
            consecutiveFailures: budget.consecutiveFailures + 1,
            day: day,
            dayFailures: budget.failures(on: day) + 1,
            totalFailures: budget.totalFailures + 1
        )
        return VerifyDecision(
            success: false,
            attempts: attempts,
            used: false,
            budget: after,
            burnedCode: code.attempts < policy.codes.maxAttempts && attempts == policy.codes.maxAttempts,
            lockedOrder: !locked && after.isLocked(on: day, policy: policy.failureBudget),
            counted: true
        )
    }
}

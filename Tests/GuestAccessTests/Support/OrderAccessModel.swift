/// What one order's code, failure budget and access tokens should be, as the
/// contract states it, without any of the service's code: the randomized
/// isolation test runs operations against the live service and against one
/// of these per order, and compares after every step.
struct OrderAccessModel {
    struct Limits {
        let maxAttempts: Int
        let consecutive: Int
        let daily: Int
        let total: Int
    }

    let orderNumber: String
    let email: String
    /// The newest code delivered, nil before the first and after a revoke.
    var code: String?
    var attempts = 0
    var used = false
    var consecutiveFailures = 0
    var dayFailures = 0
    var totalFailures = 0
    /// Whether the order has a budget row: created by the first verify attempt while it has a code.
    var hasBudget = false
    var liveTokens: [String] = []
    var deadTokens: [String] = []

    func isLocked(_ limits: Limits) -> Bool {
        consecutiveFailures >= limits.consecutive || dayFailures >= limits.daily || totalFailures >= limits.total
    }

    /// A code request with the order's own email: a fresh code unless the order is locked.
    mutating func requested(newCode: String?) {
        guard let newCode else { return }
        code = newCode
        attempts = 0
        used = false
    }

    /// A verify with the order's own email; returns whether it should succeed.
    /// A locked order counts nothing more: its answer and its work are those of
    /// an attempt with another email.
    mutating func verify(code sent: String, _ limits: Limits) -> Bool {
        guard let code else { return false }
        hasBudget = true
        guard !used else { return false }
        let locked = isLocked(limits)
        if !locked && attempts < limits.maxAttempts && sent == code {
            attempts += 1
            used = true
            consecutiveFailures = 0
            hasBudget = true
            return true
        }
        guard !locked else { return false }
        attempts = min(attempts + 1, limits.maxAttempts)
        consecutiveFailures += 1
        dayFailures += 1
        totalFailures += 1
        hasBudget = true
        return false
    }

    /// A verify with another email: it changes nothing but creates the budget row of an order with a code.
    mutating func attemptedWithAnotherEmail() {
        if code != nil { hasBudget = true }
    }

    /// An admin revoke: the code is gone and every token issued so far is dead; the budget stays.
    mutating func revoked() {
        code = nil
        attempts = 0
        used = false
        deadTokens += liveTokens
        liveTokens = []
    }
}

/// The worst-case chance that an attacker guesses one order's code, from a policy.
///
/// Each guess against a uniform 6-digit code succeeds with probability at most
/// 10⁻⁶ (distinct guesses against one code add up exactly; guesses against
/// fresh codes are independent), so `g` guesses succeed with probability at
/// most `g / 10⁶` (union bound).
///
/// The guesses one order can take are bounded by limits that nothing an
/// attacker does can reset: the lifetime failure budget, the daily cap, and
/// the codes issuable times the attempts each allows. The consecutive budget
/// is left out on purpose: the owner's own success resets it, and an attacker
/// may interleave with an owner who keeps succeeding.
public struct GuessRisk: Sendable, Equatable {
    public static let codeSpace = 1_000_000.0

    /// A bound: guesses, the limit that sets it, and the chance.
    public struct Bound: Sendable, Equatable {
        public let guesses: Int
        public let limit: String
        public var probability: Double { Double(guesses) / GuessRisk.codeSpace }
    }

    /// Over a year of trying.
    public let year: Bound
    /// Over the order's whole access window (its life: only the lifetime budget bounds that).
    public let window: Bound
    public let bound: Double

    public init(policy: Policy) {
        let yearSeconds = 365 * 86400
        let total = (policy.failureBudget.totalPerOrder, "failureBudget.totalPerOrder (never reset)")
        let candidates: [(Int, String)] = [
            total,
            (policy.failureBudget.dailyPerOrder * 365, "failureBudget.dailyPerOrder × 365 days"),
            (
                policy.codes.perOrderLimit * (yearSeconds / policy.codes.perOrderWindowSeconds) * policy.codes.maxAttempts,
                "codes.perOrderLimit per window × codes.maxAttempts"
            ),
        ]
        let binding = candidates.min { $0.0 < $1.0 }!
        year = Bound(guesses: binding.0, limit: binding.1)
        window = Bound(guesses: total.0, limit: total.1)
        bound = policy.risk.maxGuessProbabilityPerYear
    }

    /// Whether the policy stays within its own bound over a year and over the window.
    public var isWithinBound: Bool { year.probability <= bound && window.probability <= bound }
}

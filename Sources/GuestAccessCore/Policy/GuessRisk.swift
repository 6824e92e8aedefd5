/// The worst-case chance that an attacker guesses one order's code, from a policy.
///
/// Each guess against a uniform 6-digit code succeeds with probability 10⁻⁶
/// at most (distinct guesses against one code add up exactly; guesses against
/// fresh codes are independent). So the chance after `g` guesses is at most
/// `g / 10⁶` (union bound). Over a year the guesses one order can take are the
/// fewest of three limits: the consecutive-failure budget (code access locks
/// when it is spent and nothing resets it but the owner's own success), the
/// daily failure cap times 365, and codes issuable in a year times the
/// attempts each code allows.
public struct GuessRisk: Sendable, Equatable {
    public static let codeSpace = 1_000_000.0

    /// Guesses one order can take in a year, and which limit sets that.
    public let guessesPerYear: Int
    public let bindingLimit: String
    /// `guessesPerYear / 10⁶`.
    public let probabilityPerYear: Double
    public let bound: Double

    public init(policy: Policy) {
        let yearSeconds = 365 * 86400
        let candidates: [(Int, String)] = [
            (policy.failureBudget.consecutivePerOrder, "failureBudget.consecutivePerOrder (then code access locks)"),
            (policy.failureBudget.dailyPerOrder * 365, "failureBudget.dailyPerOrder × 365"),
            (
                policy.codes.perOrderLimit * (yearSeconds / policy.codes.perOrderWindowSeconds) * policy.codes.maxAttempts,
                "codes.perOrderLimit per window × codes.maxAttempts"
            ),
        ]
        let binding = candidates.min { $0.0 < $1.0 }!
        guessesPerYear = binding.0
        bindingLimit = binding.1
        probabilityPerYear = Double(binding.0) / Self.codeSpace
        bound = policy.risk.maxGuessProbabilityPerYear
    }

    /// Whether the policy stays within its own bound.
    public var isWithinBound: Bool { probabilityPerYear <= bound }
}

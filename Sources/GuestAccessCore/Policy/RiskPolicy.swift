/// The bound `policy check` holds a policy to.
public struct RiskPolicy: Sendable, Equatable, Encodable {
    /// Highest accepted worst-case chance of guessing one order's code in a year.
    public var maxGuessProbabilityPerYear: Double

    public init(maxGuessProbabilityPerYear: Double) {
        self.maxGuessProbabilityPerYear = maxGuessProbabilityPerYear
    }
}

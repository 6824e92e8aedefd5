import GuestAccessCore

extension Policy {
    /// This policy with `change` applied, for tests that need one value
    /// changed: `TestEnvironment.fastPolicy.with { $0.codes.maxAttempts = 3 }`.
    /// Typed, so a change names its section (two sections have a `timeoutSeconds`).
    func with(_ change: (inout Policy) -> Void) -> Policy {
        var copy = self
        change(&copy)
        return copy
    }
}

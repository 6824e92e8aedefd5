/// One item of `guest-access provider check`: what was checked, whether the
/// provider met the contract, and what it did instead.
public struct ProviderFinding: Sendable, Equatable {
    public let check: String
    public let passed: Bool
    public let detail: String

    public init(check: String, passed: Bool, detail: String) {
        self.check = check
        self.passed = passed
        self.detail = detail
    }
}

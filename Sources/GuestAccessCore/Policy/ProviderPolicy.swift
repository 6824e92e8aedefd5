/// Calls to the storefront's order provider.
public struct ProviderPolicy: Sendable, Equatable, Encodable {
    /// Longest a provider call may take before it counts as unavailable.
    public var timeoutSeconds: Int
    /// Largest provider response accepted.
    public var maxResponseBytes: Int

    public init(timeoutSeconds: Int, maxResponseBytes: Int) {
        self.timeoutSeconds = timeoutSeconds
        self.maxResponseBytes = maxResponseBytes
    }
}

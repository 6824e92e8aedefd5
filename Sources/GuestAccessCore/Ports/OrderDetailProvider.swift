/// Where orders come from. guest-access owns no orders: a storefront does.
///
/// Adapters: an embedded JSON file (demo, tests) and an HTTP client for a
/// storefront's provider endpoint.
public protocol OrderDetailProvider: Sendable {
    /// The order, or nil when the storefront has no such order. Throws
    /// `ProviderError.unavailable` when the answer cannot be had (down, slow,
    /// or an answer that breaks the contract), never a nil in that case.
    func order(number: String) async throws(ProviderError) -> OrderDetail?

    /// Whether the provider can be reached, for `/readyz`.
    func isReachable() async -> Bool
}

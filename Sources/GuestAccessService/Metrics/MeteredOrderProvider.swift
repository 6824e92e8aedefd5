public import GuestAccessCore

/// Measures every call to the order provider: a latency histogram by result,
/// and errors.
public struct MeteredOrderProvider<Base: OrderDetailProvider>: OrderDetailProvider {
    let base: Base
    let metrics: ServiceMetrics

    public init(_ base: Base, metrics: ServiceMetrics) {
        self.base = base
        self.metrics = metrics
    }

    public func order(number: String) async throws(ProviderError) -> OrderDetail? {
        let started = ContinuousClock.now
        do {
            let order = try await base.order(number: number)
            metrics.time(.orderProvider, ContinuousClock.now - started, .result, order == nil ? "not_found" : "found")
            return order
        } catch {
            metrics.time(.orderProvider, ContinuousClock.now - started, .result, "unavailable")
            metrics.count(.orderProviderErrors)
            throw error
        }
    }

    public func isReachable() async -> Bool { await base.isReachable() }
}

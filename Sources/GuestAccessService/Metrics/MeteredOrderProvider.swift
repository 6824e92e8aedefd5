public import GuestAccessCore
import Metrics

/// Measures every call to the order provider: a latency histogram by result,
/// and errors.
public struct MeteredOrderProvider<Base: OrderDetailProvider>: OrderDetailProvider {
    let base: Base
    /// The histogram's three series and the error counter, made once here
    /// (so exported from the start, at zero): every tracking view and
    /// re-fetch calls the provider, and a lookup by label on each call hashed
    /// the label's value under a lock (BENCHMARKS.md, 2026-11-29, final pass).
    let found: Metrics.Timer
    let notFound: Metrics.Timer
    let unavailable: Metrics.Timer
    let errors: Metrics.Counter

    public init(_ base: Base, metrics: ServiceMetrics) {
        self.base = base
        found = metrics.timer(.orderProvider, [(.result, Metric.ProviderResult.found.rawValue)])
        notFound = metrics.timer(.orderProvider, [(.result, Metric.ProviderResult.notFound.rawValue)])
        unavailable = metrics.timer(.orderProvider, [(.result, Metric.ProviderResult.unavailable.rawValue)])
        errors = metrics.counter(.orderProviderErrors, [])
    }

    public func order(number: String) async throws(ProviderError) -> OrderDetail? {
        let started = ContinuousClock.now
        do {
            let order = try await base.order(number: number)
            ServiceMetrics.record(ContinuousClock.now - started, on: order == nil ? notFound : found)
            return order
        } catch {
            ServiceMetrics.record(ContinuousClock.now - started, on: unavailable)
            errors.increment(by: 1)
            throw error
        }
    }

    public func isReachable() async -> Bool { await base.isReachable() }
}

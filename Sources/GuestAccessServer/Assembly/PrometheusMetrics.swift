import GuestAccessService
import Prometheus

/// The Prometheus registry `/metrics` serves, and the service's metrics on it.
struct PrometheusMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let metrics: ServiceMetrics

    init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
        ]
        metrics = ServiceMetrics(factory: factory)
    }

    /// Everything in Prometheus text format 0.0.4.
    func render() -> [UInt8] { registry.emitToBuffer() }
}

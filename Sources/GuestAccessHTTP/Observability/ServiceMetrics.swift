import Metrics
import Prometheus

/// The service's metrics, through swift-metrics on a Prometheus registry of
/// its own (not the process-global `MetricsSystem`, so that several services
/// in one process — as in the tests — never mix their figures).
///
/// Labels carry kinds and outcomes only: never an order number, email, token
/// or client address.
public final class ServiceMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let factory: PrometheusMetricsFactory

    public init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
        ]
        self.factory = factory
    }

    /// Adds one to the counter `guest_access_<name>_total`.
    public func count(_ name: String, _ dimensions: [(String, String)] = [], by amount: Int = 1) {
        Counter(label: "guest_access_\(name)_total", dimensions: dimensions, factory: factory).increment(by: amount)
    }

    /// Records a duration in the histogram `guest_access_<name>_seconds`.
    public func time(_ name: String, _ duration: Duration, _ dimensions: [(String, String)] = []) {
        let (seconds, attoseconds) = duration.components
        Timer(label: "guest_access_\(name)_seconds", dimensions: dimensions, factory: factory)
            .recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// Everything in Prometheus text format 0.0.4.
    public func render() -> [UInt8] { registry.emitToBuffer() }
}

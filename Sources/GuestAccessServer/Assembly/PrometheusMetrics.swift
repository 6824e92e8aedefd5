import GuestAccessService
import Prometheus
import Synchronization

/// The Prometheus registry `/metrics` serves, and the service's metrics on it.
final class PrometheusMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let metrics: ServiceMetrics
    /// The standard-error writer's dropped lines already added to
    /// `log_lines_dropped` (the writer counts them itself: it runs below any
    /// service, one per process).
    private let logDropsCounted = Mutex(0)

    init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
        ]
        metrics = ServiceMetrics(factory: factory)
        // At 0 from the start: a series that appears only at its first drop is missed by rate() and increase().
        metrics.count(.logLinesDropped, by: 0)
    }

    /// Everything in Prometheus text format 0.0.4.
    func render() -> [UInt8] {
        let dropped = LogSink.standardError.droppedLines
        let newly = logDropsCounted.withLock { counted in
            defer { counted = max(counted, dropped) }
            return dropped - counted
        }
        if newly > 0 { metrics.count(.logLinesDropped, by: newly) }
        return registry.emitToBuffer()
    }
}

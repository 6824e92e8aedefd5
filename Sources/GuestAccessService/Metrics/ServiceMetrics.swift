public import CoreMetrics
import Metrics
import Synchronization

/// The service's metrics, through swift-metrics on a factory of its own (not
/// the process-global `MetricsSystem`, so that several services in one
/// process — as in the tests — never mix their figures). The assembly gives
/// it a Prometheus registry's factory and serves that registry on `/metrics`.
///
/// Labels carry kinds and outcomes only: never an order number, email, token
/// or client address.
public final class ServiceMetrics: Sendable {
    let factory: any MetricsFactory
    /// Handles made so far, by label and dimensions: a handle is made once,
    /// not on every event (the label sets are small and fixed).
    private let counters = Mutex<[String: Metrics.Counter]>([:])
    private let timers = Mutex<[String: Metrics.Timer]>([:])

    /// `factory`: where figures go (none by default, for tests that do not read them).
    public init(factory: any MetricsFactory = NOOPMetricsHandler.instance) {
        self.factory = factory
    }

    /// Adds `amount` to the counter `guest_access_<name>_total`.
    public func count(_ name: Metric.Counter, _ labels: [(Metric.Label, String)] = [], by amount: Int = 1) {
        let label = "guest_access_\(name.rawValue)_total"
        let dimensions = labels.map { ($0.0.rawValue, $0.1) }
        let key = Self.key(label, dimensions)
        let counter = counters.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = Metrics.Counter(label: label, dimensions: dimensions, factory: factory)
            counters[key] = counter
            return counter
        }
        counter.increment(by: amount)
    }

    /// Records a duration in the histogram `guest_access_<name>_seconds`.
    public func time(_ name: Metric.Timer, _ duration: Duration, _ labels: [(Metric.Label, String)] = []) {
        let (seconds, attoseconds) = duration.components
        let label = "guest_access_\(name.rawValue)_seconds"
        let dimensions = labels.map { ($0.0.rawValue, $0.1) }
        let key = Self.key(label, dimensions)
        let timer = timers.withLock { timers in
            if let timer = timers[key] { return timer }
            let timer = Metrics.Timer(label: label, dimensions: dimensions, factory: factory)
            timers[key] = timer
            return timer
        }
        timer.recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    private static func key(_ label: String, _ dimensions: [(String, String)]) -> String {
        dimensions.reduce(into: label) { key, pair in key += "\u{1}" + pair.0 + "\u{2}" + pair.1 }
    }
}

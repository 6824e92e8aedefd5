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
    /// Handles made so far, by name and labels: a handle is made once, not on
    /// every event (the label sets are small and fixed). The key holds the
    /// enums and label values as given, so a hit builds no string.
    private let counters = Mutex<[HandleKey<Metric.Counter>: Metrics.Counter]>([:])
    private let timers = Mutex<[HandleKey<Metric.Timer>: Metrics.Timer]>([:])

    /// `factory`: where figures go (none by default, for tests that do not read them).
    public init(factory: any MetricsFactory = NOOPMetricsHandler.instance) {
        self.factory = factory
    }

    /// Adds `amount` to the counter `guest_access_<name>_total`.
    public func count(_ name: Metric.Counter, _ labels: [(Metric.Label, String)] = [], by amount: Int = 1) {
        let key = HandleKey(name: name, labels: labels)
        let counter = counters.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = Metrics.Counter(
                label: "guest_access_\(name.rawValue)_total",
                dimensions: labels.map { ($0.0.rawValue, $0.1) },
                factory: factory
            )
            counters[key] = counter
            return counter
        }
        counter.increment(by: amount)
    }

    /// Records a duration in the histogram `guest_access_<name>_seconds`.
    public func time(_ name: Metric.Timer, _ duration: Duration, _ labels: [(Metric.Label, String)] = []) {
        let (seconds, attoseconds) = duration.components
        let key = HandleKey(name: name, labels: labels)
        let timer = timers.withLock { timers in
            if let timer = timers[key] { return timer }
            let timer = Metrics.Timer(
                label: "guest_access_\(name.rawValue)_seconds",
                dimensions: labels.map { ($0.0.rawValue, $0.1) },
                factory: factory
            )
            timers[key] = timer
            return timer
        }
        timer.recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}

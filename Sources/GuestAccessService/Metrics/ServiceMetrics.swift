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
    /// Every answer's counter and timer, by route template and status code:
    /// one lookup per request with a key that builds nothing
    /// (`RequestMetricKey`), where `counter` and `timer` would each build a
    /// label array and hash it.
    private let requests = Mutex<[RequestMetricKey: (Metrics.Counter, Metrics.Timer)]>([:])

    /// `factory`: where figures go (none by default, for tests that do not read them).
    public init(factory: any MetricsFactory = NOOPMetricsHandler.instance) {
        self.factory = factory
    }

    /// Adds `amount` to the counter `guest_access_<name>_total`.
    public func count(_ name: Metric.Counter, _ labels: [(Metric.Label, String)] = [], by amount: Int = 1) {
        counter(name, labels).increment(by: amount)
    }

    /// The handle `count` adds to.
    func counter(_ name: Metric.Counter, _ labels: [(Metric.Label, String)]) -> Metrics.Counter {
        let key = HandleKey(name: name, labels: labels)
        return counters.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = Metrics.Counter(
                label: "guest_access_\(name.rawValue)_total",
                dimensions: labels.map { ($0.0.rawValue, $0.1) },
                factory: factory
            )
            counters[key] = counter
            return counter
        }
    }

    /// Records `duration` on a timer handle, in nanoseconds.
    static func record(_ duration: Duration, on timer: Metrics.Timer) {
        let (seconds, attoseconds) = duration.components
        timer.recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// The handle of the histogram `guest_access_<name>_seconds` with these
    /// labels, made on first use; `record(_:on:)` records on it.
    func timer(_ name: Metric.Timer, _ labels: [(Metric.Label, String)]) -> Metrics.Timer {
        let key = HandleKey(name: name, labels: labels)
        return timers.withLock { timers in
            if let timer = timers[key] { return timer }
            let timer = Metrics.Timer(
                label: "guest_access_\(name.rawValue)_seconds",
                dimensions: labels.map { ($0.0.rawValue, $0.1) },
                factory: factory
            )
            timers[key] = timer
            return timer
        }
    }

    /// Counts one answer of `route` with `status` (`Metric.Counter.httpRequests`)
    /// and times it (`Metric.Timer.httpRequest`, by route): the same series
    /// `counter` and `timer` make for those labels. `route` must be a route
    /// template (or a fixed name such as `unmatched`), never anything a
    /// request sent: each distinct value is a series of its own, and the
    /// key's hash assumes few of them.
    public func recordRequest(route: String, status: Int, duration: Duration) {
        let key = RequestMetricKey(route: route, status: status)
        let (counter, timer) = requests.withLock { requests in
            if let handles = requests[key] { return handles }
            let handles = (
                self.counter(.httpRequests, [(.route, route), (.status, String(status))]),
                self.timer(.httpRequest, [(.route, route)])
            )
            requests[key] = handles
            return handles
        }
        counter.increment(by: 1)
        Self.record(duration, on: timer)
    }
}

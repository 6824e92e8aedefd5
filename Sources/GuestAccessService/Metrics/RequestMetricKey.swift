/// Which answer `ServiceMetrics.recordRequest` counts: a route template and a
/// status code, hashed as they are (the status's label string is made only
/// with a new handle).
struct RequestMetricKey: Hashable, Sendable {
    let route: String
    let status: Int
}

/// Which answer `ServiceMetrics.recordRequest` counts: a route template and a
/// status code, as they are (the status's label string is made only with a
/// new handle).
struct RequestMetricKey: Hashable, Sendable {
    let route: String
    let status: Int

    /// Hashes the status and the route's length in bytes, not the route's
    /// bytes: hashing the template was most of the lookup every request
    /// makes. The routes are the router's templates and two fixed names
    /// (`unmatched`, `NotFound`), about twenty in all and never a request's
    /// own path, so few share a length; equal keys still compare their
    /// routes whole. The templates are ASCII, so equal routes have equal
    /// byte counts (two canonically equivalent non-ASCII spellings would
    /// not: at worst two entries here for one series' handles).
    func hash(into hasher: inout Hasher) {
        hasher.combine(status)
        hasher.combine(route.utf8.count)
    }
}

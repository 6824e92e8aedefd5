public import HTTPTypes

/// Every path the service serves and its methods, as `openapi.yaml` lists
/// them (a test keeps the two equal). No route is secret, so a known path
/// asked with another method is answered 405 with `Allow`, as HTTP says,
/// rather than 404.
public enum RouteTable {
    /// Path templates (`{name}` matches one segment) and their methods; HEAD
    /// is served wherever GET is.
    public static let routes: [(template: String, methods: [HTTPRequest.Method])] = [
        ("/healthz", [.get]),
        ("/readyz", [.get]),
        ("/openapi.yaml", [.get]),
        ("/metrics", [.get]),
        ("/v1/tracking/{trackingToken}", [.get]),
        ("/v1/access-codes", [.post]),
        ("/v1/access-codes/verify", [.post]),
        ("/v1/guest/order", [.get]),
        ("/v1/guest/token", [.delete]),
        ("/v1/admin/tracking-tokens", [.post]),
        ("/v1/admin/orders/{orderNumber}/revoke", [.post]),
    ]

    /// The methods `path` is served with (HEAD added beside GET), or nil for a path the service does not serve.
    public static func methods(for path: String) -> [HTTPRequest.Method]? {
        var segments = path.split(separator: "/", omittingEmptySubsequences: false)
        // The router serves `/a/b/` as `/a/b`: so must this table.
        if segments.count > 2, segments.last?.isEmpty == true { segments.removeLast() }
        for route in routes {
            let template = route.template.split(separator: "/", omittingEmptySubsequences: false)
            guard template.count == segments.count else { continue }
            let matches = zip(template, segments).allSatisfy { part, segment in
                part.hasPrefix("{") ? !segment.isEmpty : part == segment
            }
            if matches { return route.methods.contains(.get) ? route.methods + [.head] : route.methods }
        }
        return nil
    }
}

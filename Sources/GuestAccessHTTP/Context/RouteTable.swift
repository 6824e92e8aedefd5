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

    /// `routes` split once: each template's segments (nil for a `{name}`
    /// segment) and its methods with HEAD beside GET. This runs on every
    /// request the router does not serve; splitting the templates each time
    /// was a visible part of it.
    private static let parsed: [(segments: [Substring?], methods: [HTTPRequest.Method])] = routes.map { route in
        (
            route.template.split(separator: "/", omittingEmptySubsequences: false).map { $0.hasPrefix("{") ? nil : $0 },
            route.methods.contains(.get) ? route.methods + [.head] : route.methods
        )
    }

    /// The methods `path` is served with (HEAD added beside GET), or nil for a path the service does not serve.
    public static func methods(for path: String) -> [HTTPRequest.Method]? {
        var segments = path.split(separator: "/", omittingEmptySubsequences: false)
        // The router serves `/a/b/` as `/a/b`: so must this table.
        if segments.count > 2, segments.last?.isEmpty == true { segments.removeLast() }
        for route in parsed where route.segments.count == segments.count {
            let matches = zip(route.segments, segments).allSatisfy { part, segment in
                part.map { $0 == segment } ?? !segment.isEmpty
            }
            if matches { return route.methods }
        }
        return nil
    }
}

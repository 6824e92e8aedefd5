/// A second listener for operators: `/healthz`, `/readyz` and `/metrics`
/// apart from the public API, so the metrics (which say how the service is
/// being attacked) need neither the admin key, which can also mint and
/// revoke, nor a route on the public port.
public struct OperationsListener: Sendable, Equatable, CustomStringConvertible, CustomReflectable {
    public var host: String
    public var port: Int
    /// When set, `/metrics` answers only `Authorization: Bearer CREDENTIAL`.
    /// The probes stay open: they tell nothing beyond up and ready, and
    /// orchestrators' probes rarely carry credentials.
    public var credential: String?

    public var description: String { "OperationsListener(\(host):\(port), credential: \(credential == nil ? "none" : "<redacted>"))" }
    public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
}

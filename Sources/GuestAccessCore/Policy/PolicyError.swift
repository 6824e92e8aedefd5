/// A policy that cannot be used, naming the key at fault.
public struct PolicyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Dotted path of the key, e.g. `codes.ttlSeconds`.
    public let key: String
    public let reason: String

    public init(key: String, reason: String) {
        self.key = key
        self.reason = reason
    }

    public var description: String { key.isEmpty ? "policy: \(reason)" : "policy: \(key): \(reason)" }
}

/// Per-client token buckets.
public struct RateLimitPolicy: Sendable, Equatable {
    /// Requests a client may send at once.
    public var perClientBurst: Int
    /// Requests per second a client's bucket refills.
    public var perClientPerSecond: Int

    public init(perClientBurst: Int, perClientPerSecond: Int) {
        self.perClientBurst = perClientBurst
        self.perClientPerSecond = perClientPerSecond
    }
}

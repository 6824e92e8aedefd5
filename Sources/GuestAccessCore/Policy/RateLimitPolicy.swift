/// Per-client token buckets.
public struct RateLimitPolicy: Sendable, Equatable, Encodable {
    /// Requests a client may send at once.
    public var perClientBurst: Int
    /// Requests per second a client's bucket refills.
    public var perClientPerSecond: Int
    /// Leading bits of an IPv6 client address that name its bucket: a host
    /// that owns a whole /64 could otherwise use a fresh address per request.
    public var ipv6PrefixLength: Int

    public init(perClientBurst: Int, perClientPerSecond: Int, ipv6PrefixLength: Int = 64) {
        self.perClientBurst = perClientBurst
        self.perClientPerSecond = perClientPerSecond
        self.ipv6PrefixLength = ipv6PrefixLength
    }
}

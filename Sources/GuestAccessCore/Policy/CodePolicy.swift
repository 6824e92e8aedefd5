/// One-time email codes.
public struct CodePolicy: Sendable, Equatable, Encodable {
    /// Seconds a code stays valid.
    public var ttlSeconds: Int
    /// Wrong guesses that burn a code.
    public var maxAttempts: Int
    /// Codes issued per order within `perOrderWindowSeconds`.
    public var perOrderLimit: Int
    public var perOrderWindowSeconds: Int
    /// Codes issued per email digest within `perEmailWindowSeconds`.
    public var perEmailLimit: Int
    public var perEmailWindowSeconds: Int
    /// Least time a verify answer takes, a second line behind equal work on every path.
    public var responseFloorMilliseconds: Int

    public init(
        ttlSeconds: Int,
        maxAttempts: Int,
        perOrderLimit: Int,
        perOrderWindowSeconds: Int,
        perEmailLimit: Int,
        perEmailWindowSeconds: Int,
        responseFloorMilliseconds: Int
    ) {
        self.ttlSeconds = ttlSeconds
        self.maxAttempts = maxAttempts
        self.perOrderLimit = perOrderLimit
        self.perOrderWindowSeconds = perOrderWindowSeconds
        self.perEmailLimit = perEmailLimit
        self.perEmailWindowSeconds = perEmailWindowSeconds
        self.responseFloorMilliseconds = responseFloorMilliseconds
    }
}

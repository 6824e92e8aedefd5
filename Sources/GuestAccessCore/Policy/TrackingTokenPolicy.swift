/// Public tracking tokens.
public struct TrackingTokenPolicy: Sendable, Equatable {
    /// Days a minted tracking token stays valid.
    public var ttlDays: Int

    public init(ttlDays: Int) { self.ttlDays = ttlDays }
}

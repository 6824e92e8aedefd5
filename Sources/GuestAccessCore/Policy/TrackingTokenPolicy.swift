/// Public tracking tokens.
public struct TrackingTokenPolicy: Sendable, Equatable, Encodable {
    /// Days a minted tracking token stays valid.
    public var ttlDays: Int

    public init(ttlDays: Int) { self.ttlDays = ttlDays }
}

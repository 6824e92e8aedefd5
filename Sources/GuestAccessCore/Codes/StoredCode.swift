public import Foundation

/// The active code of an order as stored: digests only, with the key id they
/// were made under. The decoy row has the same shape, so a missing code costs
/// the same work as a present one.
public struct StoredCode: Sendable, Equatable {
    /// The order number, or `""` for the decoy.
    public let orderKey: String
    public let codeDigest: [UInt8]
    public let emailDigest: [UInt8]
    public let kid: String
    public let expiresAt: Date
    public let attempts: Int
    public let used: Bool

    public init(orderKey: String, codeDigest: [UInt8], emailDigest: [UInt8], kid: String, expiresAt: Date, attempts: Int, used: Bool) {
        self.orderKey = orderKey
        self.codeDigest = codeDigest
        self.emailDigest = emailDigest
        self.kid = kid
        self.expiresAt = expiresAt
        self.attempts = attempts
        self.used = used
    }

    public var isDecoy: Bool { orderKey.isEmpty }
}

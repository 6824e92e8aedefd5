public import Foundation

/// What is stored for a tracking token: its digest, never the token.
public struct TrackingTokenRecord: Sendable, Equatable {
    /// SHA-256 of the domain-separated token.
    public let digest: [UInt8]
    public let orderNumber: String
    public let createdAt: Date
    public let expiresAt: Date
    public let revokedAt: Date?

    public init(digest: [UInt8], orderNumber: String, createdAt: Date, expiresAt: Date, revokedAt: Date? = nil) {
        self.digest = digest
        self.orderNumber = orderNumber
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }

    /// Usable at `now`: neither revoked nor expired.
    public func isLive(at now: Date) -> Bool { revokedAt == nil && now < expiresAt }
}

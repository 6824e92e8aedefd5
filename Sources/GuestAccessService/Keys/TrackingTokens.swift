import Foundation
public import GuestAccessCore
import GuestAccessCrypto

/// Minting and resolving public tracking tokens.
///
/// A token is `gt_` and 192 random bits in base64url. Only
/// SHA-256("guest-access/v1/tracking-token\0" ‖ token) is stored: with 192 bits
/// of entropy nobody holding the database can find a token from its digest,
/// and no keyring key is involved, so rotation never breaks a mailed link.
public struct TrackingTokens<Store: TrackingTokenStore>: Sendable {
    public static var prefix: String { "gt_" }
    static var randomBytes: Int { 24 }
    /// Exact length of a well-formed token.
    public static var length: Int { prefix.count + 32 }

    @usableFromInline let store: Store
    @usableFromInline let clock: any WallClock
    let ttl: TimeInterval

    public init(store: Store, clock: any WallClock, ttlDays: Int) {
        self.store = store
        self.clock = clock
        self.ttl = TimeInterval(ttlDays) * 86400
    }

    /// Mints a token for `orderNumber`, stores its digest, returns the token.
    public func mint(orderNumber: String) async throws(StoreError) -> String {
        let token = Self.prefix + Base64URL.encode(SecureRandom.bytes(Self.randomBytes))
        let now = clock.now()
        try await store.insert(
            TrackingTokenRecord(digest: Self.digest(token), orderNumber: orderNumber, createdAt: now, expiresAt: now + ttl)
        )
        return token
    }

    /// The order number of a live token, or nil for malformed, unknown,
    /// expired and revoked tokens alike.
    @inlinable public func resolve(_ token: String) async throws(StoreError) -> String? {
        guard Self.isWellFormed(token) else { return nil }
        guard let record = try await store.find(digest: Self.digest(token)), record.isLive(at: clock.now()) else {
            return nil
        }
        return record.orderNumber
    }

    /// Checked on the token's UTF-8 bytes in place: decoding it into an array
    /// only to count the bytes, after a Unicode-aware `hasPrefix`, took about
    /// as many instructions as the token's SHA-256 (`instructions_per_request.py`).
    @usableFromInline static func isWellFormed(_ token: String) -> Bool {
        guard token.utf8.count == length else { return false }
        var token = token
        return token.withUTF8 { bytes in
            bytes.starts(with: prefix.utf8)
                && Base64URL.isCanonical(UnsafeBufferPointer(rebasing: bytes[prefix.utf8.count...]), byteCount: randomBytes)
        }
    }

    @usableFromInline static func digest(_ token: String) -> [UInt8] {
        var input = [UInt8]()
        input.reserveCapacity(trackingTokenDigestDomain.count + token.utf8.count)
        input.append(contentsOf: trackingTokenDigestDomain)
        input.append(contentsOf: token.utf8)
        return SHA256.hash(input)
    }
}

/// The tracking-token digest's domain separator: "guest-access/v1/tracking-token" and a zero byte.
private let trackingTokenDigestDomain: [UInt8] = Array("guest-access/v1/tracking-token".utf8) + [0]

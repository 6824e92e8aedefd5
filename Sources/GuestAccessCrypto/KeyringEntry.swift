public import Foundation

/// One key of `keyring.json`.
public struct KeyringEntry: Codable, Sendable, Equatable {
    /// Opaque key id carried in token headers and beside stored digests.
    public var kid: String
    public var status: KeyStatus
    public var createdAt: Date
    public var retiredAt: Date?
    /// The 256-bit secret, base64url; nil once retired.
    public var secret: String?

    /// A fresh key of 256 bits from `RAND_bytes` with a random key id.
    static func generate(now: Date) -> KeyringEntry {
        let kid = "k" + SecureRandom.bytes(8).map { String($0, radix: 16).leftPadded(to: 2) }.joined()
        return KeyringEntry(
            kid: kid,
            status: .active,
            createdAt: now,
            retiredAt: nil,
            secret: Base64URL.encode(SecureRandom.bytes(32))
        )
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

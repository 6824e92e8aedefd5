import Foundation
import GuestAccessCrypto

/// The storefront backend's admin API key. Only its SHA-256 is kept, and a
/// presented key is compared digest to digest with `CRYPTO_memcmp`.
public struct AdminKey: Sendable {
    /// Shortest accepted admin key.
    public static let minimumLength = 32

    private let digest: [UInt8]

    /// Refuses keys shorter than `minimumLength` characters.
    public init(_ key: String) throws(AdminKeyError) {
        let trimmed = key.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.utf8.count >= Self.minimumLength else {
            throw AdminKeyError(description: "the admin key must be at least \(Self.minimumLength) characters")
        }
        guard trimmed.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw AdminKeyError(description: "the admin key must be printable ASCII without spaces")
        }
        digest = SHA256.hash(trimmed)
    }

    /// True when `presented` is the key, in time independent of where it differs.
    public func matches(_ presented: String) -> Bool {
        ConstantTime.equals(SHA256.hash(presented), digest)
    }

    /// A new random admin key (for `demo`).
    public static func generate() -> String { Base64URL.encode(SecureRandom.bytes(32)) }
}

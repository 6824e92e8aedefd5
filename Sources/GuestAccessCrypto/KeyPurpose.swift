/// What a derived key is for. Each purpose gets its own subkey of every keyring
/// key, so a MAC made for one purpose never verifies for another.
public enum KeyPurpose: String, Sendable, CaseIterable {
    /// Signing access tokens (JWS HS256).
    case accessToken = "access-token"
    /// Keyed digests of one-time codes.
    case codeDigest = "code-digest"
    /// Keyed digests of email addresses.
    case emailDigest = "email-digest"
    /// Keyed digests of order numbers, for audit records.
    case orderDigest = "order-digest"
    /// Keyed digests of client addresses, for fair turns in the code-request
    /// queue: the database never holds a client's address.
    case clientDigest = "client-digest"

    /// The derivation label; changing it changes every derived key.
    public var label: String { "guest-access/v1/" + rawValue }
}

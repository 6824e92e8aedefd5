import GuestAccessCore
public import GuestAccessCrypto

/// Keyed digests stored instead of emails and codes, each under its own subkey.
public enum Digests {
    /// HMAC(email subkey, normalized email): trimmed, NFC, lower-cased.
    public static func email(_ email: String, key: Keyring.Key) -> [UInt8] {
        key.mac(for: .emailDigest).authenticate(EmailAddress.normalized(email))
    }

    /// HMAC(code subkey, order number ‖ 0 ‖ code): a code digest is bound to its order.
    public static func code(_ code: String, orderNumber: String, key: Keyring.Key) -> [UInt8] {
        key.mac(for: .codeDigest).authenticate(Array(orderNumber.utf8) + [0] + Array(code.utf8))
    }

    /// HMAC(order-digest subkey, order number): how the audit trail names an
    /// order. Keyed, because order numbers are short enough to enumerate.
    public static func order(_ orderNumber: String, key: Keyring.Key) -> [UInt8] {
        key.mac(for: .orderDigest).authenticate(orderNumber)
    }

    /// HMAC(client subkey, rate-limit key): whose turn a queued code request
    /// takes. Keyed, because addresses are few enough to enumerate.
    public static func client(_ clientKey: String, key: Keyring.Key) -> [UInt8] {
        Array(key.mac(for: .clientDigest).authenticate(clientKey).prefix(16))
    }
}

import Foundation
import GuestAccessCrypto

/// Signs what the pages hand the browser to keep (the code step's flow
/// cookie, the form tokens) with a key of their own: HMAC-SHA256 under
/// HMAC(admin key, "guest-access/pages/v1"). Derived from the admin key so
/// every replica agrees without one more secret; the label keeps it apart
/// from every other use, and nothing signed here can be replayed as anything
/// else (each value starts with its purpose).
struct PageSigner: Sendable {
    private let key: HMACKey

    init(adminKey: String) {
        let root = HMACKey(secret: Array(adminKey.trimmingCharacters(in: .whitespacesAndNewlines).utf8))
        key = HMACKey(secret: root.authenticate("guest-access/pages/v1"))
    }

    /// `payload.tag`, both base64url.
    func seal(_ purpose: String, _ payload: [UInt8]) -> String {
        let body = Base64URL.encode(payload)
        return body + "." + Base64URL.encode(key.authenticate(purpose + "|" + body))
    }

    /// The payload of a value `seal` made for `purpose`, or nil; the tag is compared in constant time.
    func open(_ purpose: String, _ value: String) -> [UInt8]? {
        guard value.utf8.count <= 2048 else { return nil }
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let payload = Base64URL.decode(parts[0]), let tag = Base64URL.decode(parts[1]) else { return nil }
        guard key.verify(tag, for: Array((purpose + "|" + parts[0]).utf8)) else { return nil }
        return payload
    }

    /// The form token for a browser's CSRF nonce.
    func formToken(nonce: String) -> String { Base64URL.encode(key.authenticate("form|" + nonce)) }

    /// Whether `token` is the form token of `nonce`, in constant time.
    func checkFormToken(_ token: String, nonce: String) -> Bool {
        guard !nonce.isEmpty, let tag = Base64URL.decode(token) else { return false }
        return key.verify(tag, for: Array(("form|" + nonce).utf8))
    }
}

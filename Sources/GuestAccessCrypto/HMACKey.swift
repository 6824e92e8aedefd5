import COpenSSL

/// An HMAC-SHA256 key held inside OpenSSL as a pre-keyed `EVP_MAC_CTX`.
///
/// Each MAC duplicates the template context (`EVP_MAC_CTX_dup`), the fastest
/// measured path on this stack, and leaves the template untouched.
///
/// `@unchecked Sendable` is safe: the template pointer is set once in `init`,
/// never reassigned, only read by `EVP_MAC_CTX_dup` (which takes a `const`
/// context and does not mutate it), and freed in `deinit` when no reference is left.
public final class HMACKey: @unchecked Sendable {
    private let template: OpaquePointer

    /// Keys a new HMAC-SHA256 context with `secret`.
    public init(secret: [UInt8]) {
        precondition(!secret.isEmpty, "an HMAC key must not be empty")
        let ctx = secret.withUnsafeBufferPointer { ga_hmac_sha256_new($0.baseAddress, $0.count) }
        guard let ctx else { fatalError("EVP_MAC HMAC-SHA256 initialisation failed") }
        self.template = ctx
    }

    deinit { EVP_MAC_CTX_free(template) }

    /// The 32-byte HMAC-SHA256 of `message`.
    public func authenticate(_ message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        let ok = message.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { output in
                ga_hmac_sha256_oneshot(template, input.baseAddress, input.count, output.baseAddress)
            }
        }
        guard ok == 1 else { fatalError("EVP_MAC HMAC-SHA256 failed") }
        return out
    }

    /// The HMAC of the bytes at `message`, written to the 32 bytes at `out`;
    /// for callers that have the message in place and nothing to allocate.
    public func authenticate(_ message: UnsafeBufferPointer<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>) {
        precondition(out.count >= 32, "an HMAC-SHA256 needs 32 bytes")
        guard ga_hmac_sha256_oneshot(template, message.baseAddress, message.count, out.baseAddress) == 1 else {
            fatalError("EVP_MAC HMAC-SHA256 failed")
        }
    }

    /// The HMAC of a UTF-8 string.
    public func authenticate(_ text: String) -> [UInt8] { authenticate(Array(text.utf8)) }

    /// True when `tag` is the HMAC of `message`, compared in constant time.
    public func verify(_ tag: [UInt8], for message: [UInt8]) -> Bool {
        ConstantTime.equals(authenticate(message), tag)
    }
}

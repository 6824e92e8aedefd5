import CGuestAccessDigest

/// An HMAC-SHA256 key, held as the SHA-256 states after its inner and outer
/// padded blocks (`ga_hmac_sha256_key`, `CGuestAccessDigest`): each MAC
/// starts from copies of them on the stack, with no allocation. OpenSSL's
/// `EVP_MAC` duplicated a heap context per message, more than half the cost
/// of a token's MAC (BENCHMARKS.md, 2026-11-29, evening).
///
/// `@unchecked Sendable` is safe: the states are written once in `init`,
/// only read (copied) afterwards, and wiped and freed in `deinit` when no
/// reference is left.
public final class HMACKey: @unchecked Sendable {
    private let state: OpaquePointer

    /// Prepares the key `secret`.
    public init(secret: [UInt8]) {
        precondition(!secret.isEmpty, "an HMAC key must not be empty")
        let state = secret.withUnsafeBufferPointer { ga_hmac_sha256_key_new($0.baseAddress, $0.count) }
        guard let state else { fatalError("HMAC-SHA256 key preparation failed") }
        self.state = state
    }

    deinit { ga_hmac_sha256_key_free(state) }

    /// The 32-byte HMAC-SHA256 of `message`.
    public func authenticate(_ message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        let ok = message.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { output in
                ga_hmac_sha256(state, input.baseAddress, input.count, output.baseAddress)
            }
        }
        guard ok == 1 else { fatalError("HMAC-SHA256 failed") }
        return out
    }

    /// The HMAC of the bytes at `message`, written to the 32 bytes at `out`;
    /// for callers that have the message in place and nothing to allocate.
    public func authenticate(_ message: UnsafeBufferPointer<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>) {
        precondition(out.count >= 32, "an HMAC-SHA256 needs 32 bytes")
        guard ga_hmac_sha256(state, message.baseAddress, message.count, out.baseAddress) == 1 else {
            fatalError("HMAC-SHA256 failed")
        }
    }

    /// The HMAC of a UTF-8 string.
    public func authenticate(_ text: String) -> [UInt8] { authenticate(Array(text.utf8)) }

    /// True when `tag` is the HMAC of `message`, compared in constant time.
    public func verify(_ tag: [UInt8], for message: [UInt8]) -> Bool {
        ConstantTime.equals(authenticate(message), tag)
    }
}
